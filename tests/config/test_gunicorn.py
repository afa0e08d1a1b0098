"""deploy/gunicorn.conf.py serves the app: probes, request ids, a clean stop on SIGTERM."""

import json

import httpx
import pytest

from tests.multi_worker import gunicorn

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_production_server_configuration_answers_the_probes():
    with gunicorn(workers=2, threads=2) as base:
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        ready = httpx.get(f"{base}/readyz")
        assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok"
        page = httpx.get(f"{base}/customer/login", headers={"X-Request-ID": "probe-7"})
        assert page.status_code == 200 and page.headers["X-Request-ID"] == "probe-7"


def test_gunicorns_own_lines_are_json_in_production_format(tmp_path):
    log = tmp_path / "gunicorn.log"
    with gunicorn(workers=1, threads=1, stderr=log, LOG_FORMAT="json", LOG_LEVEL="INFO") as base:
        assert httpx.get(f"{base}/healthz").status_code == 200
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]  # each one JSON
    booted = [line for line in lines if line.get("logger") == "gunicorn.error" and "Booting worker" in line["message"]]
    assert booted and {"timestamp", "level", "message"} <= set(booted[0])
