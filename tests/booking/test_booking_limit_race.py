"""One customer, twenty parallel creates on twenty different free slots, a limit of one
upcoming booking: over real HTTP against two gunicorn workers, exactly one wins (issue 14)."""

import threading
from collections import Counter
from datetime import datetime, time, timedelta

import httpx
import pytest
from django.utils import timezone
from knox.models import AuthToken

from booking.models import Appointment
from tests.factories import UserFactory
from tests.multi_worker import gunicorn

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_creates_cannot_exceed_the_booking_limit(salon, staff, services):
    salon.max_upcoming_per_customer = 1
    salon.save()
    day = timezone.localdate(timezone=salon.zone) + timedelta(days=7)
    day += timedelta(days=1) if day.weekday() == 6 else timedelta(0)  # closed on Sundays
    # Ten times for each of two staff members: different staff, so different staff locks.
    slots = [
        (member, datetime.combine(day, time(9), tzinfo=salon.zone) + timedelta(minutes=30 * n))
        for n in range(10)
        for member in staff
    ]
    _, token = AuthToken.objects.create(user=UserFactory(email="dana@example.com"))
    barrier = threading.Barrier(len(slots))
    answers: list = []

    with gunicorn(workers=2, threads=10, THROTTLE_USER="off", THROTTLE_ANON="off") as base:

        def create(member, start):
            body = {
                "business_id": str(salon.pk),
                "service_id": str(services[0].pk),
                "staff_id": str(member.pk),
                "start": start.isoformat(),
            }
            with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Token {token}"}) as client:
                barrier.wait()
                response = client.post("/api/appointments/create", json=body)
            answers.append((response.status_code, response.json().get("error", {}).get("code", "")))

        threads = [threading.Thread(target=create, args=slot) for slot in slots]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert Counter(answers) == Counter({(201, ""): 1, (409, "booking_limit_reached"): 19})
    assert Appointment.objects.filter(customer__email="dana@example.com").count() == 1
