"""The availability cache is never stale (issue 17): every change the engine reads changes
the next answer at once, in one process and across two gunicorn workers, with the local
memory cache and with Redis; and a cached answer always equals the uncached engine's.

These tests commit (transaction=True): the database bumps `availability_version` at commit,
and the cache is not used inside a transaction."""

import threading
from contextlib import suppress
from datetime import UTC, date, datetime, time, timedelta

import httpx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from knox.models import AuthToken
from rest_framework.test import APIClient

from booking.errors import SlotUnavailable
from booking.models import Appointment
from booking.selectors import available_slots, customer_window
from booking.services import Actor, appointment_book, appointment_cancel, appointment_reschedule
from businesses.models import Business, OpeningHours, TimeOff
from tests.booking.test_celery_worker import redis_or_skip
from tests.factories import StaffMemberFactory, UserFactory, open_all_week
from tests.multi_worker import gunicorn

pytestmark = pytest.mark.django_db(transaction=True)


def next_monday(salon) -> date:
    today = timezone.localdate(timezone=salon.zone)
    return today + timedelta(days=7 - today.weekday())


def at(day: date, hour: int, salon, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=salon.zone).astimezone(UTC)


def answer(client, salon, service, day) -> set:
    """The API's slots as (start instant, staff ids)."""
    response = client.get(f"/api/business/{salon.pk}/availability", {"service": service.pk, "date": day, "days": 7})
    assert response.status_code == 200
    return {(datetime.fromisoformat(s["start"]), tuple(s["staff_ids"])) for s in response.json()["slots"]}


def engine(salon, service, day) -> set:
    """The uncached engine's answer, on the salon as the database has it now."""
    business = Business.objects.get(pk=salon.pk)
    slots = available_slots(
        business, service, first_day=day, days=7, window=customer_window(business, now=timezone.now())
    )
    return {(slot.start, tuple(str(i) for i in slot.staff_ids)) for slot in slots}


def test_every_change_changes_the_next_answer(salon, staff, services, dana):
    ana, ben = staff
    cut = services[0]
    monday = next_monday(salon)
    client = APIClient()
    before = answer(client, salon, cut, monday)
    assert before == engine(salon, cut, monday) and (at(monday, 10, salon), (str(ana.pk), str(ben.pk))) in before
    with CaptureQueriesContext(connection) as warm:
        assert answer(client, salon, cut, monday) == before
    assert len(warm) == 1  # the service with its business (and version): the rest is cached

    def changed(previous: set) -> set:
        now = answer(client, salon, cut, monday)
        assert now != previous and now == engine(salon, cut, monday)
        return now

    booked = appointment_book(
        business=salon, service=cut, staff=ana, start=at(monday, 10, salon), by=Actor.system(), customer=dana
    )
    state = changed(before)
    assert (at(monday, 10, salon), (str(ben.pk),)) in state
    appointment_reschedule(appointment=booked, start=at(monday, 11, salon), by=Actor.system())
    state = changed(state)
    assert (at(monday, 10, salon), (str(ana.pk), str(ben.pk))) in state
    appointment_cancel(appointment=booked, by=Actor.system())
    state = changed(state)
    TimeOff.objects.create(business=salon, staff=ben, start=at(monday, 14, salon), end=at(monday, 16, salon))
    state = changed(state)
    assert (at(monday, 14, salon), (str(ana.pk),)) in state
    TimeOff.objects.create(business=salon, staff=None, start=at(monday, 16, salon), end=at(monday, 18, salon))
    state = changed(state)
    assert not any(
        monday == start.astimezone(salon.zone).date() and start >= at(monday, 16, salon) for start, _ in state
    )
    OpeningHours.objects.filter(business=salon, weekday=1).update(end=time(12))  # Tuesdays close at noon
    state = changed(state)
    ana.is_active = False
    ana.save()
    state = changed(state)
    assert all(staff_ids == (str(ben.pk),) for _, staff_ids in state)
    cut.duration = timedelta(minutes=45)
    cut.save()
    state = changed(state)
    Business.objects.filter(pk=salon.pk).update(min_notice_minutes=60 * 24 * 5)  # the policy
    changed(state)


def test_the_notice_moves_with_the_clock_after_the_cache(salon, staff, services, time_machine):
    cut = services[0]
    monday = next_monday(salon)
    time_machine.move_to(at(monday, 9, salon) - timedelta(minutes=salon.min_notice_minutes), tick=False)
    client = APIClient()
    first = answer(client, salon, cut, monday)
    assert min(start for start, _ in first) == at(monday, 9, salon)
    time_machine.move_to(at(monday, 10, salon) - timedelta(minutes=salon.min_notice_minutes), tick=False)
    later = answer(client, salon, cut, monday)  # the same version: from the cache, cut by the clock
    assert min(start for start, _ in later) == at(monday, 10, salon)
    assert later == engine(salon, cut, monday)


@pytest.mark.parametrize("shared_cache", ["local memory", "redis"])
def test_two_workers_never_offer_a_slot_booked_meanwhile(salon, staff, services, dana, shared_cache):
    cut = services[0]
    monday = next_monday(salon)
    overrides = {"THROTTLE_ANON": "off", "THROTTLE_USER": "off"}
    if shared_cache == "redis":
        redis_or_skip()
        overrides["CACHE_URL"] = "redis://127.0.0.1:6379/13"
    url = f"/api/business/{salon.pk}/availability?service={cut.pk}&date={monday}&days=7"
    with gunicorn(workers=2, **overrides) as base:

        def ask() -> set:
            with httpx.Client(base_url=base, timeout=30) as client:  # a new connection: either worker
                slots = client.get(url).json()["slots"]
            return {(datetime.fromisoformat(s["start"]), tuple(s["staff_ids"])) for s in slots}

        for _ in range(10):  # both workers have it cached
            assert ask() == engine(salon, cut, monday)
        for member in staff:
            appointment_book(
                business=salon,
                service=cut,
                staff=member,
                start=at(monday, 10, salon),
                by=Actor.system(),
                customer=dana,
            )
        for _ in range(10):
            found = ask()
            assert all(start != at(monday, 10, salon) for start, _ in found)
            assert found == engine(salon, cut, monday)


def test_answers_during_parallel_creates_never_offer_a_slot_booked_before_they_started(salon, staff, services):
    """50 creates and 50 availability requests interleave over two workers: a slot booked
    before an availability request started is never in its answer."""
    cut = services[0]  # 30 minutes
    monday = next_monday(salon)
    stylists = [*staff, *(StaffMemberFactory(business=salon, name=f"Extra {n}") for n in range(2))]
    open_all_week(salon, *stylists[2:])
    cut.staff.set(stylists)
    starts = [at(monday, 9, salon) + timedelta(minutes=30 * n) for n in range(13)]  # 13 x 4 stylists
    tokens = [AuthToken.objects.create(user=UserFactory(email=f"mixer{n}@example.com"))[1] for n in range(50)]
    url = f"/api/business/{salon.pk}/availability?service={cut.pk}&date={monday}&days=1"
    problems: list = []
    barrier = threading.Barrier(100)
    with gunicorn(workers=2, threads=8, THROTTLE_ANON="off", THROTTLE_USER="off") as base:

        def create(n: int) -> None:
            body = {
                "business_id": str(salon.pk),
                "service_id": str(cut.pk),
                "staff_id": str(stylists[n % 4].pk),
                "start": starts[n // 4].isoformat(),
            }
            with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Token {tokens[n]}"}) as c:
                barrier.wait()
                assert c.post("/api/customer/book-appointment", json=body).status_code == 201

        def ask() -> None:
            try:
                with httpx.Client(base_url=base, timeout=30) as c:
                    barrier.wait()
                    booked_before = {
                        (str(staff_id), start)
                        for staff_id, start in Appointment.objects.filter(service=cut, status="confirmed").values_list(
                            "staff_id", "start"
                        )
                    }
                    slots = c.get(url).json()["slots"]
                offered = {(i, datetime.fromisoformat(s["start"])) for s in slots for i in s["staff_ids"]}
                problems.extend(offered & booked_before)
            finally:
                connection.close()  # this thread's own database connection

        threads = [threading.Thread(target=create, args=(n,)) for n in range(50)]
        threads += [threading.Thread(target=ask) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert problems == []
    assert Appointment.objects.filter(service=cut).count() == 50  # every create on its own slot won


@pytest.mark.parametrize("offering", ["all", "compact"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.booleans(), st.integers(0, 1), st.integers(0, 31)), min_size=1, max_size=12))
def test_the_cached_answer_equals_the_engine_after_any_bookings_and_cancels(
    salon, staff, services, dana, offering, steps
):
    """Random bookings (a stylist, a quarter hour of Monday) and cancels of the latest: after
    each, what the API answers (cached where it can) is the uncached engine's answer, for
    every free start and for the compact offering."""
    Business.objects.filter(pk=salon.pk).update(slot_offering=offering)
    cut = services[0]
    monday = next_monday(salon)
    Appointment.objects.filter(business=salon).delete()
    client = APIClient()
    booked: list = []
    for book, who, quarter in steps:
        if book or not booked:
            with suppress(SlotUnavailable):  # taken: nothing changes, the answer neither
                booked.append(
                    appointment_book(
                        business=salon,
                        service=cut,
                        staff=staff[who],
                        start=at(monday, 9, salon) + timedelta(minutes=15 * quarter),
                        by=Actor.system(),
                        customer=dana,
                    )
                )
        else:
            appointment_cancel(appointment=booked.pop(), by=Actor.system())
        assert answer(client, salon, cut, monday) == engine(salon, cut, monday)
        assert answer(client, salon, cut, monday) == engine(salon, cut, monday)  # now from the cache


@pytest.mark.parametrize(("staff_filter", "cold", "warm"), [(False, 3, 1), (True, 4, 2)])
def test_query_counts_through_the_view(salon, staff, services, staff_filter, cold, warm):
    """Pinned: a first answer costs the service with its business, (the stylist,) who performs
    it and one read of the staff's time; a repeated one only the lookups."""
    query = {"service": services[0].pk, "date": next_monday(salon), "days": 14}
    if staff_filter:
        query["staff"] = staff[0].pk
    client = APIClient()
    for expected in (cold, warm):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/business/{salon.pk}/availability", query).status_code == 200
        assert len(queries) == expected


def test_the_answer_kept_rendered_is_the_serializers_answer(salon, staff, services, dana):
    """Warm answers are joined from slots rendered once: the same JSON as availability_body."""
    import json

    from booking.api.serializers import availability_body

    cut = services[0]
    monday = next_monday(salon)
    appointment_book(
        business=salon, service=cut, staff=staff[0], start=at(monday, 10, salon), by=Actor.system(), customer=dana
    )
    client = APIClient()
    query = {"service": cut.pk, "date": monday, "days": 7}
    cold = client.get(f"/api/business/{salon.pk}/availability", query)
    warm = client.get(f"/api/business/{salon.pk}/availability", query)
    business = Business.objects.get(pk=salon.pk)
    slots = available_slots(
        business, cut, first_day=monday, days=7, window=customer_window(business, now=timezone.now())
    )
    expected = json.loads(json.dumps(availability_body(business, cut, slots)))
    assert cold["Content-Type"] == warm["Content-Type"] == "application/json"
    assert cold.json() == warm.json() == expected and len(expected["slots"]) > 100


def test_the_rendered_slots_are_cut_to_any_window(salon, staff, services):
    """The kept text is sliced per request: bounds on a start, inside a second, past every
    slot and before every slot each give the slots the engine gives for that window."""
    import json

    from booking.api.serializers import slot_renderer
    from booking.selectors import BookingWindow, available_fragments, within_window

    business = Business.objects.get(pk=salon.pk)
    monday = next_monday(salon)
    every = available_slots(business, services[0], first_day=monday, days=2, window=BookingWindow(None, None))
    some = every[len(every) // 3].start
    windows = [
        (None, None),
        (some, None),
        (some + timedelta(milliseconds=500), None),
        (None, some),
        (None, some + timedelta(milliseconds=500)),
        (some, some + timedelta(hours=2)),
        (every[-1].start + timedelta(minutes=1), None),
        (None, every[0].start),
    ]
    render = slot_renderer(business)
    for not_before, not_after in windows:
        window = BookingWindow(not_before=not_before, not_after=not_after, customer=True)
        text = available_fragments(
            business,
            services[0],
            first_day=monday,
            days=2,
            staff=None,
            window=window,
            version=business.availability_version,
            render=render,
        )
        expected = [json.loads(render(slot)) for slot in within_window(every, window)]
        assert json.loads(f"[{text}]") == expected, (not_before, not_after)
    assert expected == []  # the last window holds nothing


def version_of(salon) -> int:
    return Business.objects.values_list("availability_version", flat=True).get(pk=salon.pk)


def test_saving_a_stale_business_never_moves_the_version_back(salon, staff, services, dana):
    """Django's save() writes every column, the version too: an admin form loaded before a
    booking must not bring back the version whose cached answers show the slot free."""
    cut = services[0]
    monday = next_monday(salon)
    client = APIClient()
    stale = Business.objects.get(pk=salon.pk)
    answer(client, salon, cut, monday)
    appointment_book(
        business=salon, service=cut, staff=staff[0], start=at(monday, 10, salon), by=Actor.system(), customer=dana
    )
    booked = answer(client, salon, cut, monday)  # cached under the new version
    after_booking = version_of(salon)
    stale.save()  # nothing changed but the version it writes back
    assert version_of(salon) == after_booking
    stale.name = "Renamed"
    stale.save()
    assert version_of(salon) == after_booking + 1
    assert answer(client, salon, cut, monday) == booked == engine(salon, cut, monday)


def test_one_bump_per_transaction_and_none_for_what_the_engine_does_not_read(salon, staff, services, dana):
    from django.db import transaction

    from booking.visits import visit_book

    cut = services[0]
    monday = next_monday(salon)
    before = version_of(salon)
    with transaction.atomic():  # two items, their history, the relationship...: one bump at commit
        visit = visit_book(
            business=salon,
            items=[(cut, staff[0]), (cut, staff[1])],
            start=at(monday, 10, salon),
            by=Actor.system(),
            customer=dana,
        )
        assert version_of(salon) == before  # not before commit
    assert version_of(salon) == before + 1
    Appointment.objects.filter(visit=visit).update(notes="Bring a photo")  # the engine never reads it
    assert version_of(salon) == before + 1
    Appointment.objects.filter(visit=visit).update(status="cancelled")
    assert version_of(salon) == before + 2


def test_a_commit_kept_waiting_for_the_salons_row_is_busy_not_down(salon, staff, services, dana, alice):
    """The version is bumped at commit, under the booking's lock_timeout: if another
    transaction holds the business row longer than that, the booking is refused as busy
    (503 with Retry-After, nothing saved), not reported as the database being down."""
    import psycopg

    from config.backups import connection_kwargs
    from tests.api_helpers import client_for

    monday = next_monday(salon)
    body = {
        "business_id": str(salon.pk),
        "service_id": str(services[0].pk),
        "staff_id": str(staff[0].pk),
        "start": at(monday, 10, salon).isoformat(),
        "customer": {"email": "waiting@example.com"},
    }
    with psycopg.connect(**connection_kwargs(connection.settings_dict)) as holder:
        holder.execute("SELECT 1 FROM businesses_business WHERE id = %s FOR NO KEY UPDATE", [salon.pk])
        response = client_for(alice).post("/api/appointments/create", body, format="json")
    assert response.status_code == 503 and response.json()["error"]["code"] == "busy"
    assert response["Retry-After"] == "2"
    assert not Appointment.objects.filter(customer__email="waiting@example.com").exists()
