"""Inputs an outsider can send that once gave a 500 (issue 22, findings 9-11): now a clear 4xx."""

import json
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from booking.models import Appointment
from tests.api_helpers import customer_client, error_code
from tests.factories import make_appointment

pytestmark = pytest.mark.django_db

EXTREME_DATES = ["9999-12-31", "0001-01-01"]
EXTREME_STARTS = ["9999-12-31T23:50:00+00:00", "0001-01-01T00:00:00+00:00", "0001-01-01T00:00:00+14:00"]


@pytest.mark.parametrize("day", EXTREME_DATES)
@pytest.mark.parametrize("days", [1, 62])
def test_availability_at_the_ends_of_the_calendar_is_a_400_naming_date(api_client, salon, services, day, days):
    for path in (
        f"/api/business/{salon.pk}/availability?service={services[0].pk}&date={day}&days={days}",
        f"/api/booking/availability?business={salon.pk}&service={services[0].pk}&date={day}&days={days}",
        f"/api/customer/availability/{salon.pk}?service={services[0].pk}&date={day}&days={days}",
    ):
        response = api_client.get(path)
        assert response.status_code == 400, path
        assert "date" in response.json()["error"]["fields"], path


@pytest.mark.parametrize("start", EXTREME_STARTS)
def test_creates_and_reschedules_at_the_ends_of_the_calendar_are_400(salon, staff, services, start):
    client, customer = customer_client("dana@example.com")
    body = {"business_id": str(salon.pk), "service_id": str(services[0].pk), "start": start}
    created = client.post("/api/appointments/create", body, format="json")
    assert created.status_code == 400 and "start" in created.json()["error"]["fields"]

    booking = make_appointment(
        staff=staff[0], service=services[0], customer=customer, start=timezone.now() + timedelta(days=7)
    )
    moved = client.put(f"/api/appointments/{booking.pk}/reschedule", {"start": start}, format="json")
    assert moved.status_code == 400 and "start" in moved.json()["error"]["fields"]
    assert Appointment.objects.get(pk=booking.pk).start == booking.start  # nothing saved is lost


@pytest.mark.parametrize("day", EXTREME_DATES)
def test_the_portal_starts_from_today_for_a_date_it_cannot_show(client, salon, staff, services, day):
    response = client.get(
        f"/customer/book-appointment?business={salon.pk}&service={services[0].pk}&staff=any&from={day}&date={day}"
    )
    assert response.status_code == 200


def test_a_nul_in_a_query_parameter_is_a_400(client, api_client, salon, superuser):
    assert api_client.get("/api/customer/appointments?status=%00").status_code in (400, 401)
    response = api_client.get(f"/api/business/{salon.pk}/services?x=%00")
    assert response.status_code == 400 and error_code(response) == "validation_error"
    client.force_login(superuser)
    for path in ("/admin/booking/appointment/?q=%00", "/admin/booking/appointment/?status__exact=%00"):
        page = client.get(path)
        assert page.status_code == 400, path
        assert b"NUL" in page.content


@pytest.fixture
def http(live_server):
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        yield client


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("megabytes", [3, 10])
def test_an_oversized_json_body_is_a_413_in_the_error_shape(http, salon, megabytes):
    body = json.dumps({"email": "dana@example.com", "padding": "x" * (megabytes * 1024 * 1024)})
    for path in ("/api/customer/auth/login", "/api/appointments/create"):
        response = http.post(path, content=body, headers={"Content-Type": "application/json"})
        if path == "/api/appointments/create":  # anonymous: authentication comes first
            assert response.status_code in (401, 413)
            continue
        assert response.status_code == 413, response.text
        assert response.json()["error"]["code"] == "request_too_large"


@pytest.mark.django_db(transaction=True)
def test_deeply_nested_json_is_a_400(http):
    response = http.post(
        "/api/customer/auth/login", content="[" * 100_000, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.django_db(transaction=True)
def test_an_undecodable_token_is_a_401(http):
    response = http.get("/api/customer/me", headers={"Authorization": b"Token \xff\xfe\xfd"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
