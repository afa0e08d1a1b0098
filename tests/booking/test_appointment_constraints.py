"""The database itself refuses double bookings, whatever code path writes."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from psycopg.types.multirange import Multirange

from booking.models import Appointment, AppointmentHistory
from tests.factories import make_appointment

NINE = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


def book(staff, service, customer, start, **fields):
    with transaction.atomic():
        return make_appointment(staff=staff, service=service, customer=customer, start=start, **fields)


def test_overlapping_confirmed_appointment_of_same_staff_is_refused(staff, services, dana):
    cut = services[0]
    book(staff[0], cut, dana, NINE)
    with pytest.raises(IntegrityError, match="appointment_no_overlap_per_staff"):
        book(staff[0], cut, dana, NINE + timedelta(minutes=15))
    assert Appointment.objects.count() == 1


def test_buffers_count_as_blocked_time(staff, services, dana):
    cut, colour = services[0], services[1]
    book(staff[0], colour, dana, NINE)  # 09:00-10:30, blocked 08:50-10:45
    with pytest.raises(IntegrityError):
        book(staff[0], cut, dana, NINE + timedelta(minutes=95))  # 10:35, inside the buffer after
    with pytest.raises(IntegrityError):
        book(staff[0], cut, dana, NINE - timedelta(minutes=35))  # 08:25-08:55, into the buffer before
    book(staff[0], cut, dana, NINE + timedelta(minutes=105))  # 10:45: right after the buffer


def test_back_to_back_appointments_are_allowed(staff, services, dana):
    cut = services[0]
    book(staff[0], cut, dana, NINE)
    book(staff[0], cut, dana, NINE + timedelta(minutes=30))
    assert Appointment.objects.filter(staff=staff[0]).count() == 2


def test_cancelled_appointments_do_not_block(staff, services, dana):
    cut = services[0]
    first = book(staff[0], cut, dana, NINE)
    first.status = Appointment.Status.CANCELLED
    first.save()
    book(staff[0], cut, dana, NINE)
    assert Appointment.objects.filter(status="confirmed").count() == 1


def test_reconfirming_a_cancelled_appointment_into_a_taken_slot_is_refused(staff, services, dana):
    cut = services[0]
    first = book(staff[0], cut, dana, NINE)
    first.status = Appointment.Status.CANCELLED
    first.save()
    book(staff[0], cut, dana, NINE)
    first.status = Appointment.Status.CONFIRMED
    with pytest.raises(IntegrityError), transaction.atomic():
        first.save()


def test_other_staff_are_not_blocked(staff, services, dana):
    cut = services[0]
    book(staff[0], cut, dana, NINE)
    book(staff[1], cut, dana, NINE)
    assert Appointment.objects.count() == 2


def test_bulk_update_cannot_bypass_the_constraint(staff, services, dana):
    cut = services[0]
    book(staff[0], cut, dana, NINE)
    later = book(staff[0], cut, dana, NINE + timedelta(hours=2))
    later.set_times(NINE + timedelta(minutes=15), cut.duration)
    moved = {name: getattr(later, name) for name in ("start", "end", "blocked_range", "staff_busy")}
    with pytest.raises(IntegrityError, match="appointment_no_overlap_per_staff"), transaction.atomic():
        Appointment.objects.filter(pk=later.pk).update(**moved)


def test_staff_busy_time_must_be_the_blocked_range_less_processing(staff, services, dana):
    later = book(staff[0], services[0], dana, NINE + timedelta(hours=2))
    rule = "appointment_staff_busy_is_blocked_less_processing"
    with pytest.raises(IntegrityError, match=rule), transaction.atomic():
        Appointment.objects.filter(pk=later.pk).update(staff_busy=Multirange([]))


def test_negative_price_and_empty_ranges_are_refused(staff, services, dana):
    cut = services[0]
    with pytest.raises(IntegrityError, match="appointment_price_not_negative"):
        _save_with(staff, cut, dana, price=Decimal("-1"))
    with pytest.raises(IntegrityError, match="appointment_end_after_start"):
        _save_with(staff, cut, dana, end=NINE)


def _save_with(staff, service, customer, **overrides):
    appointment = Appointment(business=staff[0].business, staff=staff[0], service=service, customer=customer, price=1)
    appointment.set_times(NINE, service.duration)
    for name, value in overrides.items():
        setattr(appointment, name, value)
    with transaction.atomic():
        appointment.save()


def test_the_exclusion_constraint_is_in_pg_constraint(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s",
            ["appointment_no_overlap_per_staff"],
        )
        kind, definition = cursor.fetchone()
    assert kind == "x"
    assert "EXCLUDE USING gist" in definition
    assert "staff_id WITH =" in definition and "staff_busy WITH &&" in definition
    assert "confirmed" in definition


def test_history_rows_cannot_be_updated(staff, services, dana):
    appointment = book(staff[0], services[0], dana, NINE)
    entry = AppointmentHistory.objects.create(appointment=appointment, action="created", actor_label="test")
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AppointmentHistory.objects.filter(pk=entry.pk).update(note="rewritten")
    entry.refresh_from_db()
    assert entry.note == ""
