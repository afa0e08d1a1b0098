"""Resources and processing time over the API (DESIGN §10), races over real HTTP against two
gunicorn workers."""

import threading
from collections import Counter
from datetime import datetime, time, timedelta

import httpx
import pytest
from django.utils import timezone
from knox.models import AuthToken

from booking.models import Appointment, ResourceBooking
from booking.services import Actor, appointment_book
from businesses.models import Resource
from tests.api_helpers import client_for
from tests.factories import ServiceFactory, StaffMemberFactory, UserFactory, full_colour, open_all_week
from tests.multi_worker import gunicorn


def next_open_day(salon):
    day = timezone.localdate(timezone=salon.zone) + timedelta(days=7)
    return day + timedelta(days=1) if day.weekday() == 6 else day  # closed on Sundays


@pytest.fixture
def wash(salon, staff, services):
    service = ServiceFactory(business=salon, name="Wash", duration=timedelta(minutes=30), resource_kinds=["basin"])
    service.staff.set(staff)
    return service


@pytest.mark.django_db
def test_an_appointment_answers_with_the_resources_it_holds(salon, staff, wash, alice):
    basin = Resource.objects.create(business=salon, name="Basin", kind="basin")
    start = datetime.combine(next_open_day(salon), time(10), tzinfo=salon.zone)
    client = client_for(alice)
    body = {
        "business_id": str(salon.pk),
        "service_id": str(wash.pk),
        "start": start.isoformat(),
        "customer": {"phone": "07911 123456", "first_name": "Wes"},
    }
    created = client.post("/api/appointments/create", body, format="json")
    assert created.status_code == 201 and created.json()["resource_ids"] == [str(basin.pk)]
    again = client.post("/api/appointments/create", body, format="json")  # Ben is free, the basin is not
    assert again.status_code == 409 and again.json()["error"]["code"] == "slot_unavailable"
    shown = client.get(f"/api/appointments/{created.json()['id']}").json()
    assert shown["resource_ids"] == [str(basin.pk)]


@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_bookings_for_the_last_basin_give_one_winner(salon, wash):
    """Thirty stylists are free at 10:00 but only one basin is: every request names its own
    stylist, so the staff locks do not serialise them; the basin's lock and constraint must."""
    stylists = [StaffMemberFactory(business=salon, name=f"Stylist {n}") for n in range(30)]
    wash.staff.set(stylists)
    open_all_week(salon, *stylists)
    Resource.objects.create(business=salon, name="Last basin", kind="basin")
    Resource.objects.create(business=salon, name="Broken basin", kind="basin", is_active=False)
    start = datetime.combine(next_open_day(salon), time(10), tzinfo=salon.zone)
    tokens = [AuthToken.objects.create(user=UserFactory(email=f"racer{n}@example.com"))[1] for n in range(30)]
    barrier = threading.Barrier(len(tokens))
    answers: list = []

    with gunicorn(workers=2, threads=15, THROTTLE_USER="off", THROTTLE_ANON="off") as base:

        def create(token, stylist):
            body = {
                "business_id": str(salon.pk),
                "service_id": str(wash.pk),
                "staff_id": str(stylist.pk),
                "start": start.isoformat(),
            }
            with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Token {token}"}) as client:
                barrier.wait()
                response = client.post("/api/appointments/create", json=body)
            answers.append((response.status_code, response.json().get("error", {}).get("code", "")))

        threads = [threading.Thread(target=create, args=pair) for pair in zip(tokens, stylists, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert Counter(answers) == Counter({(201, ""): 1, (409, "slot_unavailable"): 29})
    assert Appointment.objects.filter(service=wash).count() == 1
    assert ResourceBooking.objects.get().resource.name == "Last basin"


@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_visits_for_the_last_basin_give_one_winner(salon, services, wash):
    """Wash then cut, each visit with a stylist of its own for both: only the basin is shared."""
    cut = services[0]
    stylists = [StaffMemberFactory(business=salon, name=f"Stylist {n}") for n in range(30)]
    wash.staff.set(stylists)
    cut.staff.set(stylists)
    open_all_week(salon, *stylists)
    Resource.objects.create(business=salon, name="Last basin", kind="basin")
    start = datetime.combine(next_open_day(salon), time(11), tzinfo=salon.zone)
    tokens = [AuthToken.objects.create(user=UserFactory(email=f"visitor{n}@example.com"))[1] for n in range(30)]
    barrier = threading.Barrier(len(tokens))
    answers: list = []

    with gunicorn(workers=2, threads=15, THROTTLE_USER="off", THROTTLE_ANON="off") as base:

        def create(token, stylist):
            items = [{"service_id": str(s.pk), "staff_id": str(stylist.pk)} for s in (wash, cut)]
            body = {"business_id": str(salon.pk), "items": items, "start": start.isoformat()}
            with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Token {token}"}) as client:
                barrier.wait()
                response = client.post("/api/appointments/create", json=body)
            answers.append((response.status_code, response.json().get("error", {}).get("code", "")))

        threads = [threading.Thread(target=create, args=pair) for pair in zip(tokens, stylists, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert Counter(answers) == Counter({(201, ""): 1, (409, "slot_unavailable"): 29})
    assert (
        Appointment.objects.filter(service=wash).count() == 1 and Appointment.objects.filter(service=cut).count() == 1
    )


@pytest.mark.django_db(transaction=True)
def test_parallel_bookings_into_a_processing_window_give_one_winner_and_overlaps_none(salon, staff, services, dana):
    """Ana's colour develops from 10:30 to 11:00. Fifteen customers race for a 15-minute
    consultation with her at 10:30 (inside the window: one must win) and fifteen at 10:15
    (over her busy first half hour: all must lose)."""
    ana = staff[0]
    consultation = services[2]  # 15 minutes, Ana only
    colour = full_colour(salon, ana)
    day = next_open_day(salon)
    colour_start = datetime.combine(day, time(10), tzinfo=salon.zone)
    appointment_book(business=salon, service=colour, staff=ana, start=colour_start, by=Actor.system(), customer=dana)
    inside = datetime.combine(day, time(10, 30), tzinfo=salon.zone)
    overlapping = datetime.combine(day, time(10, 15), tzinfo=salon.zone)
    starts = [inside] * 15 + [overlapping] * 15
    tokens = [AuthToken.objects.create(user=UserFactory(email=f"third{n}@example.com"))[1] for n in range(30)]
    barrier = threading.Barrier(len(tokens))
    answers: list = []

    with gunicorn(workers=2, threads=15, THROTTLE_USER="off", THROTTLE_ANON="off") as base:

        def create(token, start):
            body = {
                "business_id": str(salon.pk),
                "service_id": str(consultation.pk),
                "staff_id": str(ana.pk),
                "start": start.isoformat(),
            }
            with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Token {token}"}) as client:
                barrier.wait()
                response = client.post("/api/customer/book-appointment", json=body)
            code = response.json().get("error", {}).get("code", "")
            answers.append((start == inside, response.status_code, code))

        threads = [threading.Thread(target=create, args=pair) for pair in zip(tokens, starts, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert Counter(answers) == Counter(
        {(True, 201, ""): 1, (True, 409, "slot_unavailable"): 14, (False, 409, "slot_unavailable"): 15}
    )
    booked = Appointment.objects.filter(staff=ana, status="confirmed").order_by("start")
    assert [(a.service, a.start) for a in booked] == [(colour, colour_start), (consultation, inside)]
