"""The database has the last word on processing windows and resources too (DESIGN §10):
written straight through the ORM, past every booking rule."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from booking.models import Appointment, ResourceBooking
from businesses.models import Resource, Service
from tests.factories import make_appointment

NINE = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def colour(salon):
    """90 minutes; the colour develops from minute 30 to minute 75."""
    return Service.objects.create(
        business=salon,
        name="Colour",
        duration=timedelta(minutes=90),
        price=80,
        processing_offset=timedelta(minutes=30),
        processing_duration=timedelta(minutes=45),
    )


@pytest.fixture
def basin(salon):
    return Resource.objects.create(business=salon, name="Basin 1", kind="basin")


def book(**fields):
    with transaction.atomic():
        return make_appointment(**fields)


def test_another_client_fits_into_the_processing_window_but_not_over_the_busy_time(staff, services, colour, dana):
    cut = services[0]  # 30 minutes
    book(staff=staff[0], service=colour, customer=dana, start=NINE)
    book(staff=staff[0], service=cut, customer=dana, start=NINE + timedelta(minutes=30))
    with pytest.raises(IntegrityError, match="appointment_no_overlap_per_staff"):
        book(staff=staff[0], service=cut, customer=dana, start=NINE + timedelta(minutes=60))
    assert Appointment.objects.count() == 2


def test_a_service_over_the_whole_processing_window_is_refused(staff, colour, dana, salon):
    long = Service.objects.create(business=salon, name="Long", duration=timedelta(minutes=50), price=1)
    book(staff=staff[0], service=colour, customer=dana, start=NINE)
    with pytest.raises(IntegrityError, match="appointment_no_overlap_per_staff"):
        book(staff=staff[0], service=long, customer=dana, start=NINE + timedelta(minutes=30))


def hold(appointment, resource):
    with transaction.atomic():
        return ResourceBooking.objects.create(appointment=appointment, resource=resource, held_range=(NINE, NINE))


def test_one_resource_cannot_be_held_twice_at_once(staff, services, dana, basin):
    first = book(staff=staff[0], service=services[0], customer=dana, start=NINE)
    second = book(staff=staff[1], service=services[0], customer=dana, start=NINE + timedelta(minutes=15))
    hold(first, basin)
    with pytest.raises(IntegrityError, match="resource_no_overlap"):
        hold(second, basin)


def move(appointment, start):
    """Move an appointment with a bare UPDATE, as code that skips the services would."""
    appointment.set_times(start, appointment.duration)
    with transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(
            start=appointment.start,
            end=appointment.end,
            blocked_range=appointment.blocked_range,
            staff_busy=appointment.staff_busy,
        )


def set_status(appointment, status):
    with transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(status=status)


def test_held_times_follow_the_appointment_whatever_path_writes(staff, services, dana, basin):
    first = book(staff=staff[0], service=services[0], customer=dana, start=NINE)
    held = hold(first, basin)  # the range given is not used: the database copies the appointment's
    held.refresh_from_db()
    assert (held.held_range.lower, held.held_range.upper, held.holds) == (first.start, first.end, True)
    second = book(staff=staff[1], service=services[0], customer=dana, start=NINE + timedelta(hours=2))
    hold(second, basin)

    with pytest.raises(IntegrityError, match="resource_no_overlap"):
        move(second, NINE)  # onto the basin's booked time
    set_status(first, Appointment.Status.CANCELLED)  # a cancelled booking lets go of its basin...
    move(second, NINE)
    assert ResourceBooking.objects.get(appointment=second).held_range.lower == NINE
    with pytest.raises(IntegrityError, match="resource_no_overlap"):
        set_status(first, Appointment.Status.CONFIRMED)  # ...and cannot take it back once it is gone
