"""Load balancer probes: /healthz (no I/O) and /readyz (database, broker, cache)."""

import socket

import pytest

from config.health import HEALTH_PATHS, READY_PATHS


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("path", sorted(HEALTH_PATHS))
def test_healthz_answers_without_touching_anything(client, path):
    response = client.get(path)  # no `db` fixture: any query would raise
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", sorted(READY_PATHS))
def test_readyz_checks_the_database(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_probes_skip_host_checks_and_the_ssl_redirect(client, db, settings):
    """A load balancer probes over plain HTTP, by IP address."""
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["salon.example"]
    settings.SECURE_SSL_REDIRECT = True
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="10.0.0.7:8000")
        assert response.status_code == 200, path
    assert client.get("/customer/login", HTTP_HOST="10.0.0.7:8000").status_code == 400  # others are checked


def test_an_unreachable_broker_or_cache_is_named_and_503(client, db, settings, caplog):
    port = closed_port()
    settings.BROKER_IS_REDIS = True
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/1",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "unavailable", "cache": "unavailable"},
    }
    assert "readyz: broker unavailable: ConnectionError" in caplog.text
    assert str(port) not in response.content.decode()  # no addresses or errors in the answer


def test_probes_accept_only_get(client):
    response = client.post("/readyz")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.worker
def test_readyz_pings_the_machines_redis(client, db, settings):
    from tests.booking.test_celery_worker import REDIS_URL, redis_or_skip

    redis_or_skip()
    settings.BROKER_IS_REDIS = True
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok", "cache": "ok"}


@pytest.mark.django_db(transaction=True)
def test_readyz_leaves_no_statement_timeout_on_the_connection(client):
    """The check's 2-second limit ends with it: the connection serves later requests (CONN_MAX_AGE)."""
    from django.db import connection

    assert client.get("/readyz").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("0",)
