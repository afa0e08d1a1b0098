"""Twenty customers hold the same time at once over real HTTP against two gunicorn workers:
exactly one hold, the holder books it, nobody else can (issue 20)."""

import threading
from collections import Counter
from datetime import datetime, time, timedelta

import httpx
import pytest
from django.utils import timezone
from knox.models import AuthToken

from booking.models import Appointment, SlotHold
from tests.factories import UserFactory
from tests.multi_worker import gunicorn

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_parallel_holds_of_one_time_give_one_hold_that_its_holder_books(salon, staff, services):
    day = timezone.localdate(timezone=salon.zone) + timedelta(days=7)
    day += timedelta(days=1) if day.weekday() == 6 else timedelta(0)  # closed on Sundays
    start = datetime.combine(day, time(10), tzinfo=salon.zone)
    emails = {
        AuthToken.objects.create(user=UserFactory(email=f"holder{i}@example.com"))[1]: f"holder{i}@example.com"
        for i in range(20)
    }
    tokens = list(emails)
    service = services[0]
    barrier = threading.Barrier(len(tokens))
    answers: dict = {}

    with gunicorn(workers=2, threads=10) as base:

        def hold(token):
            with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Token {token}"}) as client:
                barrier.wait()
                answers[token] = client.post(
                    f"/api/business/{salon.pk}/holds",
                    json={"service_id": str(service.pk), "staff_id": str(staff[0].pk), "start": start.isoformat()},
                )

        threads = [threading.Thread(target=hold, args=(token,)) for token in tokens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        codes = Counter(
            (a.status_code, a.json().get("error", {}).get("code", "") if a.status_code >= 400 else "")
            for a in answers.values()
        )
        assert codes == Counter({(201, ""): 1, (409, "slot_unavailable"): 19})
        assert SlotHold.objects.count() == 1
        (winner,) = (token for token, answer in answers.items() if answer.status_code == 201)
        held = answers[winner].json()

        # Availability for everyone else lacks the held stylist at that time.
        free = httpx.get(
            f"{base}/api/business/{salon.pk}/availability",
            params={"service": str(service.pk), "date": day.isoformat(), "staff": str(staff[0].pk)},
        ).json()["slots"]
        assert start not in [datetime.fromisoformat(slot["start"]) for slot in free]

        body = {
            "business_id": str(salon.pk),
            "service_id": str(service.pk),
            "staff_id": str(staff[0].pk),
            "start": start.isoformat(),
        }
        loser = next(token for token in tokens if token != winner)
        taken = httpx.post(f"{base}/api/appointments/create", json=body, headers={"Authorization": f"Token {loser}"})
        assert taken.status_code == 409
        booked = httpx.post(
            f"{base}/api/appointments/create",
            json={**body, "hold_token": held["hold_token"]},
            headers={"Authorization": f"Token {winner}"},
        )
        assert booked.status_code == 201, booked.text

    assert Appointment.objects.get().customer.email == emails[winner]
    assert not SlotHold.objects.exists()
