"""Many clients create the same slot over HTTP at once: exactly one wins, nobody sees a 5xx."""

import threading
from collections import Counter
from datetime import datetime, time, timedelta

import httpx
import pytest
from django.utils import timezone
from knox.models import AuthToken

from booking.models import Appointment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_creates_for_one_slot_give_one_201(live_server, salon, staff, services):
    day = timezone.localdate(timezone=salon.zone) + timedelta(days=7)
    day += timedelta(days=1) if day.weekday() == 6 else timedelta(0)  # closed on Sundays
    start = datetime.combine(day, time(10), tzinfo=salon.zone)
    tokens = [AuthToken.objects.create(user=UserFactory(email=f"racer{i}@example.com"))[1] for i in range(20)]
    body = {
        "business_id": str(salon.pk),
        "service_id": str(services[0].pk),
        "staff_id": str(staff[0].pk),
        "start": start.isoformat(),
    }
    barrier = threading.Barrier(len(tokens))
    statuses: list = []

    def create(token):
        with httpx.Client(base_url=live_server.url, timeout=30) as client:
            barrier.wait()
            response = client.post("/api/appointments/create", json=body, headers={"Authorization": f"Token {token}"})
            statuses.append(
                (response.status_code, response.json()["error"]["code"] if response.status_code >= 400 else "")
            )

    threads = [threading.Thread(target=create, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Counter(statuses) == Counter({(201, ""): 1, (409, "slot_unavailable"): 19})
    assert Appointment.objects.filter(staff=staff[0]).count() == 1
