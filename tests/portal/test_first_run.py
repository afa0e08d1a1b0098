"""What a new user meets first (issue 14): the landing page, closed versus fully booked
days, and the admin's add-appointment form for a one-salon owner."""

from datetime import UTC, datetime

import pytest

from businesses.models import TimeOff
from tests.factories import BusinessFactory

pytestmark = pytest.mark.django_db

FRIDAY_NOON = datetime(2030, 3, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(FRIDAY_NOON, tick=False)


@pytest.mark.parametrize("path", ["/", ""])
def test_the_landing_page_is_the_salons_page_when_there_is_one(client, salon, services, path):
    response = client.get(path or "/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Salon Alpha" in page and "Book an appointment" in page
    assert 'href="/admin/"' in page


def test_the_landing_page_lists_salons_when_there_are_several(client, salon, other_salon):
    page = client.get("/").content.decode()
    assert f"/customer/portal?business={salon.pk}" in page
    assert f"/customer/portal?business={other_salon.pk}" in page
    assert 'href="/admin/"' in page


def test_the_landing_page_is_never_a_404(client, db):
    response = client.get("/")
    assert response.status_code == 200 and 'href="/admin/"' in response.content.decode()


def test_closed_days_say_closed_and_full_days_fully_booked(client, salon, staff, services):
    # Sunday 3 March: no opening hours. Monday 4 March: a holiday closure. Tuesday 5 March:
    # open, but only the consultation's one stylist works and she is booked all day.
    TimeOff.objects.create(
        business=salon, start=datetime(2030, 3, 4, tzinfo=UTC), end=datetime(2030, 3, 5, tzinfo=UTC), reason="Holiday"
    )
    TimeOff.objects.create(
        business=salon,
        staff=staff[0],
        start=datetime(2030, 3, 5, tzinfo=UTC),
        end=datetime(2030, 3, 6, tzinfo=UTC),
        reason="Away",
    )
    consult = services[2]
    page = client.get(
        f"/customer/book-appointment?business={salon.pk}&service={consult.pk}&staff=any&from=2030-03-03"
    ).content.decode()
    days = page.split('aria-label="Days"')[1].split('id="times-heading"')[0]
    assert "Sunday 3 March: closed" in days and "Monday 4 March: closed" in days
    assert "Tuesday 5 March: fully booked" in days


def test_a_one_salon_owner_finds_the_salon_chosen_in_the_add_form(client, alice, salon, other_salon):
    client.force_login(alice)
    page = client.get("/admin/booking/appointment/add/").content.decode()
    assert f'<option value="{salon.pk}" selected>' in page


def test_an_owner_of_two_salons_chooses(client, alice, salon):
    second = BusinessFactory(name="Salon Gamma")
    second.memberships.create(user=alice, role="owner")
    client.force_login(alice)
    page = client.get("/admin/booking/appointment/add/").content.decode()
    choices = page.split('name="business"')[1].split("</select>")[0]
    assert f'value="{salon.pk}" selected' not in choices and f'value="{second.pk}" selected' not in choices
