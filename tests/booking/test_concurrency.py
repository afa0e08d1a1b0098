"""Many writers at once: never a double booking, never a deadlock, never an unexpected error."""

import itertools
import threading
import time as time_module
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connections, transaction

from booking.errors import SlotUnavailable
from booking.locks import lock_booking
from booking.models import Appointment
from booking.services import Actor, appointment_book, appointment_reschedule
from config.errors import Busy

pytestmark = pytest.mark.django_db(transaction=True)

MONDAY = date(2030, 3, 4)
DESK = Actor.system("desk")


def at(hour, minute=0):
    return datetime.combine(MONDAY, time(hour, minute), tzinfo=UTC)


def race(jobs: list) -> list:
    """Run each job in its own thread (and database connection), all released at once."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            outcomes[index] = job()
        except Exception as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def kinds(outcomes) -> Counter:
    return Counter(type(o).__name__ for o in outcomes)


def booking(salon, service, start, staff=None, customer=None):
    return lambda: appointment_book(
        business=salon, service=service, staff=staff, start=start, by=DESK, customer=customer
    )


def test_twenty_bookings_of_one_slot_give_exactly_one(salon, staff, services, dana):
    outcomes = race([booking(salon, services[0], at(10), staff=staff[0], customer=dana) for _ in range(20)])
    assert kinds(outcomes) == Counter({"Appointment": 1, "SlotUnavailable": 19})
    assert Appointment.objects.filter(staff=staff[0]).count() == 1


def test_any_staff_races_fill_each_staff_member_once(salon, staff, services, dana):
    outcomes = race([booking(salon, services[0], at(10), customer=dana) for _ in range(20)])
    assert kinds(outcomes) == Counter({"Appointment": 2, "SlotUnavailable": 18})
    assert set(Appointment.objects.values_list("staff", flat=True)) == {m.pk for m in staff}


def test_overlapping_but_different_slots_never_overlap(salon, staff, services, dana):
    colour = services[1]  # 90 minutes plus buffers
    starts = [at(9) + timedelta(minutes=m) for m in range(0, 180, 15)] * 2
    outcomes = race([booking(salon, colour, start, staff=staff[0], customer=dana) for start in starts])
    assert set(kinds(outcomes)) <= {"Appointment", "SlotUnavailable"}
    booked = sorted(Appointment.objects.filter(staff=staff[0]), key=lambda a: a.start)
    assert booked
    for earlier, later in itertools.pairwise(booked):
        assert earlier.blocked_range.upper <= later.blocked_range.lower


def test_a_reschedule_racing_a_booking_for_the_same_time(salon, staff, services, dana):
    for round_ in range(5):
        Appointment.objects.all().delete()
        moving = appointment_book(
            business=salon, service=services[0], staff=staff[0], start=at(9), by=DESK, customer=dana
        )
        outcomes = race(
            [
                lambda moving=moving: appointment_reschedule(appointment=moving, start=at(11), by=DESK),
                booking(salon, services[0], at(11), staff=staff[0], customer=dana),
            ]
        )
        assert sorted(kinds(outcomes).elements()) == ["Appointment", "SlotUnavailable"], round_
        assert Appointment.objects.filter(staff=staff[0], start=at(11), status="confirmed").count() == 1


def test_two_reschedules_swapping_staff_do_not_deadlock(salon, staff, services, dana):
    ana, ben = staff
    for round_ in range(5):
        Appointment.objects.all().delete()
        with_ana = appointment_book(
            business=salon, service=services[0], staff=ana, start=at(10), by=DESK, customer=dana
        )
        with_ben = appointment_book(
            business=salon, service=services[0], staff=ben, start=at(10), by=DESK, customer=dana
        )
        outcomes = race(
            [
                lambda with_ana=with_ana: appointment_reschedule(
                    appointment=with_ana, start=at(14), staff=ben, by=DESK
                ),
                lambda with_ben=with_ben: appointment_reschedule(
                    appointment=with_ben, start=at(14), staff=ana, by=DESK
                ),
            ]
        )
        assert kinds(outcomes) == Counter({"Appointment": 2}), (round_, outcomes)
        assert Appointment.objects.get(pk=with_ana.pk).staff == ben
        assert Appointment.objects.get(pk=with_ben.pk).staff == ana


@contextmanager
def locked_elsewhere(staff_member):
    """Another connection holds the stylist's booking lock until the block ends."""
    held = threading.Event()
    release = threading.Event()

    def hold_the_lock():
        with transaction.atomic():
            lock_booking(staff_ids=[staff_member.pk])
            held.set()
            release.wait(timeout=30)
        connections.close_all()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert held.wait(timeout=10)
        yield
    finally:
        release.set()
        holder.join()


def test_a_lock_not_obtained_in_time_is_busy(salon, staff, services, dana):
    with locked_elsewhere(staff[0]), pytest.raises(Busy):
        appointment_book(business=salon, service=services[0], staff=staff[0], start=at(10), by=DESK, customer=dana)
    # Once released, booking works again.
    assert appointment_book(business=salon, service=services[0], staff=staff[0], start=at(10), by=DESK, customer=dana)


def test_a_plainly_taken_slot_is_refused_without_waiting_for_the_lock(salon, staff, services, dana):
    """A race's losers: the slot is already booked, so the answer comes before the lock,
    however long another booking of that stylist holds it."""
    appointment_book(business=salon, service=services[0], staff=staff[0], start=at(10), by=DESK, customer=dana)
    with locked_elsewhere(staff[0]):
        started = time_module.monotonic()
        with pytest.raises(SlotUnavailable):
            appointment_book(business=salon, service=services[0], staff=staff[0], start=at(10), by=DESK, customer=dana)
        assert time_module.monotonic() - started < 1  # the lock's timeout is 3 s
        with pytest.raises(Busy):  # a free time of that stylist still waits for the lock
            appointment_book(business=salon, service=services[0], staff=staff[0], start=at(11), by=DESK, customer=dana)
