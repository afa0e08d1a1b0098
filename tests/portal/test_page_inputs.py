"""A NUL character in a portal form is a form error that keeps what was typed, never a 500."""

from datetime import UTC, datetime

import pytest

from booking.models import Appointment
from customers.models import CustomerAccount
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2030, 3, 1, 12, tzinfo=UTC), tick=False)


@pytest.fixture
def dana_client(client):
    client.force_login(UserFactory(email="dana@example.com"))
    return client


def test_booking_notes_with_a_nul_are_a_form_error(dana_client, salon, staff, services):
    response = dana_client.post(
        "/customer/book-appointment",
        {
            "business": salon.pk,
            "service": services[0].pk,
            "staff": "any",
            "start": "2030-03-04T10:00:00+00:00",
            "notes": "Short\x00please",
        },
    )
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert "4. Confirm" in response.content.decode() or "3. Choose a day" in response.content.decode()
    assert not Appointment.objects.exists()


def test_the_account_profile_with_a_nul_is_a_form_error(dana_client):
    dana_client.post("/customer/account", {"action": "profile", "first_name": "Dana"})
    response = dana_client.post("/customer/account", {"action": "profile", "first_name": "Da\x00na"})
    assert response.status_code == 400 and "NUL" in response.content.decode()
    assert CustomerAccount.objects.get(email="dana@example.com").first_name == "Dana"  # nothing saved is lost


def test_the_login_name_step_with_a_nul_is_a_form_error(dana_client):
    response = dana_client.post("/customer/login", {"action": "name", "first_name": "D\x00", "last_name": "Doe"})
    assert response.status_code == 400 and "NUL" in response.content.decode()


def test_the_login_contact_step_with_a_nul_is_a_form_error(client):
    response = client.post("/customer/login", {"action": "start", "contact": "dana\x00@example.com"})
    assert response.status_code == 400 and "NUL" in response.content.decode()


def test_notes_longer_than_the_salon_accepts_are_a_form_error_not_cut_short(dana_client, salon, staff, services):
    response = dana_client.post(
        "/customer/book-appointment",
        {
            "business": salon.pk,
            "service": services[0].pk,
            "staff": "any",
            "start": "2030-03-04T10:00:00+00:00",
            "notes": "x" * 2001,
        },
    )
    assert response.status_code == 400
    assert "at most 2000 characters" in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_missing_first_name_keeps_the_name_step(dana_client):
    response = dana_client.post("/customer/login", {"action": "name", "first_name": "  ", "last_name": "Doe"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please tell us your first name." in page and 'name="first_name"' in page
