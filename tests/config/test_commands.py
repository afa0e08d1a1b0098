import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from booking.models import Appointment
from businesses.models import Business, BusinessMembership, Service, StaffMember
from tests.factories import UserFactory


def seed(*args) -> dict:
    out = io.StringIO()
    call_command("seed_demo", "--json", *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1  # exactly one JSON object on stdout
    return json.loads(lines[0])


@pytest.mark.django_db
def test_seed_demo_json_names_real_rows():
    salon = seed("--name", "Studio One", "--timezone", "Africa/Cairo", "--staff", "4", "--max-advance-days", "30")
    business = Business.objects.get(pk=salon["business_id"])
    assert (business.name, business.timezone, business.max_advance_days) == ("Studio One", "Africa/Cairo", 30)
    assert (business.slot_interval_minutes, business.min_notice_minutes, business.cancellation_window_hours) == (
        15,
        60,
        24,
    )
    assert {s["id"] for s in salon["services"]} == {str(pk) for pk in Service.objects.values_list("pk", flat=True)}
    assert len(salon["services"]) >= 6
    for service in salon["services"]:
        assert Service.objects.get(pk=service["id"]).duration_minutes == service["duration_minutes"]
    assert [m["name"] for m in salon["staff"]] == list(business.staff.values_list("name", flat=True))
    assert len(salon["staff"]) == 4


@pytest.mark.django_db
def test_seed_demo_json_is_alone_on_stdout_even_with_console_mail(
    settings, capsys, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--json", stdout=out)
    assert json.loads(out.getvalue())["business_id"]
    assert capsys.readouterr().out == ""  # no confirmation emails printed for the demo bookings


@pytest.mark.django_db
def test_seed_demo_is_a_realistic_salon():
    salon = seed()
    business = Business.objects.get(pk=salon["business_id"])
    assert sorted(business.opening_hours.values_list("weekday", flat=True)) == [0, 1, 2, 3, 4, 5]
    shared = [s for s in business.services.all() if s.staff.count() >= 2]
    assert len(shared) > business.services.count() / 2  # most services by two or more staff
    assert business.services.filter(buffer_after__gt="0").exists()
    lunch = [m for m in business.staff.all() if m.working_hours.filter(weekday=1).count() == 2]
    assert lunch, "one stylist takes a lunch break"
    assert business.time_off.exists()
    assert business.appointments.filter(status=Appointment.Status.CONFIRMED).exists()
    assert business.appointments.filter(status=Appointment.Status.COMPLETED).exists()


@pytest.mark.django_db
def test_seed_demo_is_idempotent_per_name():
    first = seed()
    counts = [model.objects.count() for model in (Business, Service, StaffMember, Appointment)]
    second = seed()
    assert second == first
    assert [model.objects.count() for model in (Business, Service, StaffMember, Appointment)] == counts
    other = seed("--name", "Another Salon")
    assert other["business_id"] != first["business_id"]
    assert other["owner_email"] != first["owner_email"]


@pytest.mark.django_db
def test_seed_demo_owner_can_sign_in_and_is_not_superuser(client):
    salon = seed()
    owner = get_user_model().objects.get(email=salon["owner_email"])
    assert not owner.is_superuser and owner.is_staff
    assert BusinessMembership.objects.get(user=owner).role == "owner"
    signed_in = client.post("/admin/login/", {"username": salon["owner_email"], "password": salon["owner_password"]})
    assert signed_in.status_code == 302
    assert client.get("/admin/businesses/service/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("args", [["--timezone", "Mars/Base"], ["--staff", "0"]])
def test_seed_demo_refuses_bad_options(args):
    with pytest.raises(CommandError):
        call_command("seed_demo", *args)


@pytest.mark.django_db
@pytest.mark.urls("tests.config.plumbing_urls")
def test_create_api_token_prints_a_working_token(api_client):
    UserFactory(email="integration@salon.example")
    out = io.StringIO()
    call_command("create_api_token", "Integration@Salon.example", stdout=out, stderr=io.StringIO())
    token = out.getvalue().strip().splitlines()[-1]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api_client.get("/api/test/whoami")
    assert response.status_code == 200
    assert response.json() == {"email": "integration@salon.example"}


@pytest.mark.django_db
def test_create_api_token_for_an_unknown_user_fails_clearly():
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", "nobody@example.com")
