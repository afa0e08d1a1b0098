"""Request ids, the access log, booking-change lines and the production JSON format."""

import json
import logging
import os
import subprocess
import sys

from tests.api_helpers import client_for
from tests.booking.test_notifications import book
from tests.config.test_settings import PROD, ROOT
from tests.customers.test_auth_api import code_in, verify
from tests.factories import UserFactory


def test_every_answer_carries_a_request_id(client):
    mine = client.get("/healthz-is-not-this", HTTP_X_REQUEST_ID="lb-1234.abc")
    assert mine["X-Request-ID"] == "lb-1234.abc"
    made_up = client.get("/customer/login", HTTP_X_REQUEST_ID="bad id\r\nInjected: yes")
    assert made_up["X-Request-ID"] != "bad id" and len(made_up["X-Request-ID"]) == 32


def test_one_access_line_per_request_without_the_query_string(client, alice, caplog):
    caplog.set_level(logging.INFO, logger="chairtime.access")
    client.force_login(alice)
    response = client.get("/admin/calendar/", {"business": "nonsense", "code": "12345678"}, HTTP_X_REQUEST_ID="r-1")
    lines = [r for r in caplog.records if r.name == "chairtime.access"]
    assert len(lines) == 1
    line = lines[0]
    assert (line.method, line.path, line.status, line.user_id) == (
        "GET",
        "/admin/calendar/",
        response.status_code,
        alice.pk,
    )
    assert line.request_id == "r-1" and line.duration_ms >= 0
    assert "12345678" not in line.getMessage() and "12345678" not in line.path


def test_each_booking_change_is_one_log_line(salon, staff, services, dana, caplog):
    caplog.set_level(logging.INFO, logger="booking.services")
    appointment = book(salon, services[0], staff[0], dana)
    lines = [r for r in caplog.records if getattr(r, "appointment_id", None) == str(appointment.pk)]
    assert [(r.action, r.business_id) for r in lines] == [("created", str(salon.pk))]


def test_production_logs_are_one_json_object_a_line():
    script = (
        "import django, logging; django.setup(); "
        "from config.request_log import current_request_id; current_request_id.set('req-9'); "
        "logging.getLogger('booking.services').info('appointment a1 created', "
        "extra={'appointment_id': 'a1', 'action': 'created'})"
    )
    environment = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "DEBUG", "CACHE_URL")
    }
    environment.update(PROD, SECRET_KEY="k" * 60, DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["level"] == "INFO" and line["logger"] == "booking.services"
    assert (line["message"], line["appointment_id"], line["action"], line["request_id"]) == (
        "appointment a1 created",
        "a1",
        "created",
        "req-9",
    )
    assert "timestamp" in line


def access_lines(caplog) -> list:
    return [r for r in caplog.records if r.name == "chairtime.access"]


def test_api_changes_log_the_business_they_touched(salon, staff, services, alice, caplog):
    caplog.set_level(logging.INFO, logger="chairtime.access")
    client = client_for(alice)
    body = {
        "business_id": str(salon.pk),
        "service_id": str(services[0].pk),
        "start": "2030-03-04T10:00:00+00:00",
        "customer": {"email": "walk@example.com"},
    }
    created = client.post("/api/appointments/create", body, format="json")
    assert created.status_code == 201
    client.put(f"/api/appointments/{created.json()['id']}/cancel", {}, format="json")
    assert [(line.path, line.business_id) for line in access_lines(caplog)] == [
        ("/api/appointments/create", str(salon.pk)),
        (f"/api/appointments/{created.json()['id']}/cancel", str(salon.pk)),
    ]


def test_sign_in_logs_no_code_token_or_full_phone_number(api_client, dana, sms_outbox, caplog):
    dana.user = UserFactory(email="dana@example.com")
    dana.phone, dana.phone_verified = "+447911123456", True
    dana.save()
    caplog.set_level(logging.DEBUG)
    challenge = api_client.post("/api/customer/auth/login", {"phone": "+447911123456"}, format="json").json()
    code = code_in(sms_outbox.messages()[-1])
    api_client.post(
        "/api/customer/auth/verify", {"challenge": challenge["challenge"], "code": "00000000"}, format="json"
    )
    token = verify(api_client, challenge["challenge"], code).json()["token"]
    logged = "\n".join(f"{record.getMessage()} {vars(record)}" for record in caplog.records)
    assert caplog.records  # the flow did log (access lines, the wrong code)
    for secret in (code, token, "+447911123456", "7911123456", challenge["challenge"]):
        assert secret not in logged, secret
