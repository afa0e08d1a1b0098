"""A database that cannot be reached gives a fast 503 in the one error shape (never a 500
traceback), /readyz names it, and a web process recovers by itself once it is back."""

import uuid

import httpx
import psycopg
import pytest
from django.db import OperationalError, connection
from django.test import RequestFactory

from config.api import server_error
from config.backups import connection_kwargs
from tests.config.test_health import closed_port
from tests.multi_worker import gunicorn

pytestmark = pytest.mark.django_db(transaction=True)


def test_no_database_means_503_in_the_error_shape():
    down = f"postgres://postgres@127.0.0.1:{closed_port()}/chairtime"
    with gunicorn(workers=1, threads=2, DATABASE_URL=down, DATABASE_CONNECT_TIMEOUT="1") as base:
        assert httpx.get(f"{base}/healthz").status_code == 200
        ready = httpx.get(f"{base}/readyz", timeout=10)
        assert ready.status_code == 503 and ready.json()["checks"] == {"database": "unavailable"}
        api = httpx.get(f"{base}/api/business/{uuid.uuid4()}/services", timeout=10)
        assert api.status_code == 503, api.text
        assert api.json()["error"]["code"] == "service_unavailable"
        assert api.headers["Retry-After"] == "5"


def test_a_web_process_reconnects_after_its_connection_is_killed(salon, staff, services):
    with gunicorn(workers=1, threads=1) as base:
        url = f"{base}/api/business/{salon.pk}/services"
        assert httpx.get(url).status_code == 200  # the worker now holds a connection (CONN_MAX_AGE)
        with psycopg.connect(**connection_kwargs(connection.settings_dict), autocommit=True) as admin:
            killed = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
                "AND pid <> ALL(%s)",
                [[connection.connection.info.backend_pid] if connection.connection else []],
            ).fetchone()[0]
        assert killed >= 1
        assert httpx.get(url).status_code == 200  # no restart: the next request reconnects


def test_pages_answer_503_too_when_the_database_is_down():
    request = RequestFactory().get("/customer/portal")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503 and response["Retry-After"] == "5"
