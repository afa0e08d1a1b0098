"""Booking with processing windows and resources (DESIGN §10) through the services."""

from datetime import timedelta

import pytest

from booking.errors import SlotUnavailable
from booking.models import ResourceBooking
from booking.selectors import MEMBER_WINDOW, available_slots
from booking.services import CustomerDetails, actor_for, appointment_cancel, appointment_reschedule
from businesses.models import Resource, Service
from tests.booking.test_services import MONDAY, at, book
from tests.factories import ServiceFactory


@pytest.fixture
def desk(alice, salon):
    return actor_for(alice, salon)


@pytest.fixture
def colour(salon, staff, services):
    """90 minutes; the colour develops from minute 30 to minute 75; needs a basin. (`services`
    opens the salon.)"""
    service = ServiceFactory(
        business=salon,
        name="Root colour",
        duration=timedelta(minutes=90),
        price=80,
        processing_offset=timedelta(minutes=30),
        processing_duration=timedelta(minutes=45),
        resource_kinds=["basin"],
    )
    service.staff.set(staff)
    return service


@pytest.fixture
def wash(salon, staff, services):
    service = ServiceFactory(
        business=salon, name="Wash", duration=timedelta(minutes=30), price=15, resource_kinds=["basin"]
    )
    service.staff.set(staff)
    return service


@pytest.fixture
def basins(salon):
    return [Resource.objects.create(business=salon, name=f"Basin {n}", kind="basin", position=n) for n in (1, 2)]


def details(name):
    return CustomerDetails(phone="+447911123456", first_name=name)


def starts(slots):
    return [f"{slot.start:%H:%M}" for slot in slots]


def test_a_third_client_is_booked_into_the_colourists_processing_window(salon, staff, services, colour, basins, desk):
    ana = staff[0]
    coloured = book(salon, colour, at(9), desk, staff=ana, customer_details=details("Cora"))
    assert coloured.processing == (timedelta(minutes=30), timedelta(minutes=45))
    # Ana is free 09:30-10:15: a 30-minute cut fits at 09:30 and 09:45, not at 10:00.
    offered = starts(available_slots(salon, services[0], first_day=MONDAY, staff=ana, window=MEMBER_WINDOW))
    assert offered[:3] == ["09:30", "09:45", "10:30"]
    cut = book(salon, services[0], at(9, 30), desk, staff=ana, customer_details=details("Theo"))
    assert cut.staff == ana
    with pytest.raises(SlotUnavailable):
        book(salon, services[0], at(10), desk, staff=ana, customer_details=details("Late"))


def test_each_booking_holds_a_basin_and_the_last_basin_limits_the_salon(salon, staff, colour, wash, basins, desk):
    first = book(salon, wash, at(10), desk, staff=staff[0], customer_details=details("One"))
    second = book(salon, wash, at(10), desk, staff=staff[1], customer_details=details("Two"))
    held = {ResourceBooking.objects.get(appointment=a).resource for a in (first, second)}
    assert held == set(basins)  # each took a basin of its own
    # Both basins are taken at 10:00, though a third stylist would be free.
    assert "10:00" not in starts(available_slots(salon, wash, first_day=MONDAY, window=MEMBER_WINDOW))
    appointment_cancel(appointment=first, by=desk)
    assert "10:00" in starts(available_slots(salon, wash, first_day=MONDAY, window=MEMBER_WINDOW))


def test_the_least_used_basin_is_chosen(salon, staff, wash, basins, desk):
    book(salon, wash, at(9), desk, staff=staff[0], customer_details=details("One"))
    later = book(salon, wash, at(11), desk, staff=staff[0], customer_details=details("Two"))
    assert ResourceBooking.objects.get(appointment=later).resource == basins[1]


def test_a_service_needing_a_kind_the_salon_lacks_is_never_offered(salon, staff, wash, desk):
    assert available_slots(salon, wash, first_day=MONDAY, window=MEMBER_WINDOW) == []
    with pytest.raises(SlotUnavailable):
        book(salon, wash, at(10), desk, staff=staff[0], customer_details=details("One"))


def test_rescheduling_keeps_the_basin_when_free_and_changes_it_when_not(salon, staff, wash, basins, desk):
    moving = book(salon, wash, at(9), desk, staff=staff[0], customer_details=details("Mover"))
    kept = ResourceBooking.objects.get(appointment=moving).resource
    appointment_reschedule(appointment=moving, start=at(12), by=desk)
    assert ResourceBooking.objects.get(appointment=moving).resource == kept
    assert ResourceBooking.objects.get(appointment=moving).held_range.lower == at(12)

    other = book(salon, wash, at(15), desk, staff=staff[1], customer_details=details("Other"))
    taken = ResourceBooking.objects.get(appointment=other).resource
    appointment_reschedule(appointment=moving, start=at(15), by=desk)
    now_held = ResourceBooking.objects.get(appointment=moving).resource
    assert now_held != taken and ResourceBooking.objects.filter(appointment=moving).count() == 1


def test_rescheduling_keeps_the_processing_window_of_the_booking(salon, staff, colour, basins, desk):
    coloured = book(salon, colour, at(9), desk, staff=staff[0], customer_details=details("Cora"))
    Service.objects.filter(pk=colour.pk).update(processing_duration=timedelta(0))  # changed later
    moved = appointment_reschedule(appointment=coloured, start=at(13), by=desk)
    moved.refresh_from_db()
    assert moved.processing == (timedelta(minutes=30), timedelta(minutes=45))
    assert [(piece.lower, piece.upper) for piece in moved.staff_busy] == [
        (at(13), at(13, 30)),
        (at(14, 15), at(14, 30)),
    ]
