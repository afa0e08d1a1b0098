"""Booking services: the rules every surface shares."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from booking.errors import (
    BookingInvalid,
    BookingLimitReached,
    InvalidState,
    NotAllowed,
    SlotUnavailable,
    TooLateToCancel,
)
from booking.models import Appointment, AppointmentHistory
from booking.services import (
    Actor,
    CustomerDetails,
    actor_for,
    appointment_book,
    appointment_cancel,
    appointment_complete,
    appointment_mark_no_show,
    appointment_reschedule,
    appointments_auto_complete,
)
from config.errors import DomainError
from customers.models import CustomerAccount, CustomerBusinessRelationship
from tests.factories import make_appointment

MONDAY = date(2030, 3, 4)
NOW = datetime(2030, 3, 1, 12, tzinfo=UTC)  # the Friday before


def at(hour, minute=0, day=MONDAY):
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


@pytest.fixture
def desk(alice, salon):
    return actor_for(alice, salon)


@pytest.fixture
def dana_actor(dana):
    return Actor(user=None, label=dana.email, is_member=False)


def book(salon, service, start, by, staff=None, customer=None, now=NOW, **kwargs):
    return appointment_book(
        business=salon, service=service, staff=staff, start=start, by=by, customer=customer, now=now, **kwargs
    )


# --- book --------------------------------------------------------------------------------


def test_booking_creates_appointment_history_and_relationship(salon, staff, services, dana, dana_actor):
    appointment = book(salon, services[1], at(10), dana_actor, staff=staff[0], customer=dana, source="portal")
    appointment.refresh_from_db()
    assert (appointment.start, appointment.end) == (at(10), at(11, 30))
    assert appointment.blocked_range.lower == at(9, 50) and appointment.blocked_range.upper == at(11, 45)
    assert (appointment.price, appointment.duration, appointment.source) == (
        Decimal("95.00"),
        timedelta(minutes=90),
        "portal",
    )
    assert appointment.status == "confirmed"
    assert list(appointment.history.values_list("action", flat=True)) == ["created"]
    assert CustomerBusinessRelationship.objects.filter(customer=dana, business=salon).count() == 1


def test_customers_may_not_book_off_grid_outside_hours_or_over_bookings(salon, staff, services, dana, dana_actor):
    cut = services[0]
    for start in (at(10, 5), at(8, 30), at(17, 45), at(10, day=MONDAY + timedelta(days=6))):  # Sunday: closed
        with pytest.raises(SlotUnavailable):
            book(salon, cut, start, dana_actor, staff=staff[0], customer=dana)
    book(salon, cut, at(10), dana_actor, staff=staff[0], customer=dana)
    with pytest.raises(SlotUnavailable):
        book(salon, cut, at(10, 15), dana_actor, staff=staff[0], customer=dana)


def test_customers_respect_notice_and_horizon_but_members_do_not(salon, staff, services, dana, dana_actor, desk):
    cut = services[0]
    soon = at(13, 0, day=date(2030, 3, 1))  # exactly the 60 minutes of notice after NOW: allowed
    inside_notice = at(12, 45, day=date(2030, 3, 1))
    with pytest.raises(SlotUnavailable):
        book(salon, cut, inside_notice, dana_actor, customer=dana)
    assert book(salon, cut, soon, dana_actor, customer=dana)
    beyond = at(10, day=date(2030, 3, 1) + timedelta(days=salon.max_advance_days + 1))
    with pytest.raises(SlotUnavailable):
        book(salon, cut, beyond, dana_actor, customer=dana)
    # The desk may book anywhere in working time, also in the past (a walk-in).
    assert book(salon, cut, at(10, day=date(2030, 2, 25)), desk, customer=dana)
    assert book(salon, cut, beyond, desk, customer=dana)
    with pytest.raises(SlotUnavailable):
        book(salon, cut, at(7), desk, customer=dana)


def test_the_booking_limit_applies_to_customers_only(salon, staff, services, dana, dana_actor, desk):
    salon.max_upcoming_per_customer = 1
    salon.save()
    book(salon, services[0], at(10), dana_actor, customer=dana)
    with pytest.raises(BookingLimitReached):
        book(salon, services[0], at(11), dana_actor, customer=dana)
    assert book(salon, services[0], at(11), desk, customer=dana)


def test_members_book_by_email_and_reuse_the_customer(salon, staff, services, desk, dana):
    details = CustomerDetails(email="  DANA@Example.com ", phone="07911 123456", first_name="D")
    appointment = book(salon, services[0], at(10), desk, customer_details=details)
    assert appointment.customer == dana
    dana.refresh_from_db()
    assert (dana.phone, dana.first_name) == ("", "Dana")  # the customer's own account is untouched
    entered = CustomerBusinessRelationship.objects.get(customer=dana, business=salon)
    assert (entered.phone, entered.first_name) == ("+447911123456", "D")  # the salon's record, E.164
    new = book(salon, services[0], at(11), desk, customer_details=CustomerDetails(email="New@Example.com"))
    assert new.customer.email == "new@example.com"
    assert CustomerAccount.objects.count() == 2


def test_an_account_staff_create_holds_what_they_entered(salon, staff, services, desk):
    details = CustomerDetails(email="walkin@example.com", phone="07911 123456", first_name="Wyn", last_name="Lee")
    customer = book(salon, services[0], at(10), desk, customer_details=details).customer
    assert (customer.phone, customer.phone_verified, customer.first_name) == ("+447911123456", False, "Wyn")


def test_a_bad_phone_number_is_a_validation_error(salon, staff, services, desk):
    with pytest.raises(DomainError) as error:
        book(salon, services[0], at(10), desk, customer_details=CustomerDetails(email="x@example.com", phone="12"))
    assert (error.value.code, error.value.status_code) == ("validation_error", 400)
    assert "phone" in error.value.fields
    assert not Appointment.objects.exists()


def test_foreign_or_inactive_things_cannot_be_booked(salon, staff, services, other_salon, desk, dana):
    foreign_service = other_salon.services.get()
    with pytest.raises(BookingInvalid) as error:
        book(salon, foreign_service, at(10), desk, customer=dana)
    assert "service_id" in error.value.fields
    with pytest.raises(BookingInvalid) as error:
        book(salon, services[0], at(10), desk, staff=other_salon.staff.get(), customer=dana)
    assert "staff_id" in error.value.fields
    with pytest.raises(BookingInvalid):
        book(salon, services[2], at(10), desk, staff=staff[1], customer=dana)  # Ben does not consult


def test_any_staff_picks_the_least_booked_that_day(salon, staff, services, desk, dana):
    ana, ben = staff
    book(salon, services[0], at(9), desk, staff=ana, customer=dana)
    book(salon, services[0], at(9, 30), desk, staff=ana, customer=dana)
    book(salon, services[0], at(9), desk, staff=ben, customer=dana)
    # Ana has 60 minutes booked, Ben 30: Ben gets the next "anyone" booking.
    assert book(salon, services[0], at(12), desk, customer=dana).staff == ben
    # Now equal (60 each): ties keep the salon's order (position, name): Ana.
    assert book(salon, services[0], at(13), desk, customer=dana).staff == ana


def test_any_staff_falls_back_to_whoever_is_free(salon, staff, services, desk, dana):
    ana, ben = staff
    book(salon, services[0], at(10), desk, staff=ben, customer=dana)
    assert book(salon, services[0], at(10), desk, customer=dana).staff == ana
    with pytest.raises(SlotUnavailable):
        book(salon, services[0], at(10), desk, customer=dana)


def test_the_constraint_backstop_becomes_slot_unavailable(salon, staff, services, desk, dana, monkeypatch):
    """If the re-check were wrong (or someone wrote without the lock), the database still says no."""
    ana = staff[0]
    make_appointment(staff=ana, service=services[0], customer=dana, start=at(10))
    monkeypatch.setattr("booking.services.free_staff_at", lambda *args, **kwargs: [ana.pk])
    with pytest.raises(SlotUnavailable):
        book(salon, services[0], at(10), desk, staff=ana, customer=dana)
    assert Appointment.objects.count() == 1
    # A new client's record goes with the refused booking.
    with pytest.raises(SlotUnavailable):
        book(salon, services[0], at(10), desk, staff=ana, customer_details=CustomerDetails(email="new@example.com"))
    assert not CustomerAccount.objects.filter(email="new@example.com").exists()


def test_a_refused_stylist_leaves_the_next_free_one_to_try(salon, staff, services, desk, dana, monkeypatch):
    """The constraint refuses Ana (booked without the lock): a savepoint keeps the booking's
    transaction, and Ben gets it."""
    ana, ben = staff
    make_appointment(staff=ana, service=services[0], customer=dana, start=at(10))
    monkeypatch.setattr("booking.services.free_staff_at", lambda *args, **kwargs: [ana.pk, ben.pk])
    monkeypatch.setattr("booking.services.least_booked_first", lambda business, staff_ids, start: staff_ids)
    appointment = book(salon, services[0], at(10), desk, customer=dana)
    assert appointment.staff == ben
    assert AppointmentHistory.objects.filter(appointment=appointment).count() == 1


# --- cancel and reschedule ----------------------------------------------------------------


def test_customers_cancel_only_outside_the_window(salon, staff, services, dana, dana_actor, desk):
    appointment = book(salon, services[0], at(10), desk, customer=dana)
    with pytest.raises(TooLateToCancel):
        appointment_cancel(appointment=appointment, by=dana_actor, now=at(10) - timedelta(hours=23))
    cancelled = appointment_cancel(
        appointment=appointment, by=dana_actor, reason="ill", now=at(10) - timedelta(hours=25)
    )
    assert (cancelled.status, cancelled.sequence, cancelled.cancel_reason) == ("cancelled", 1, "ill")
    with pytest.raises(InvalidState):
        appointment_cancel(appointment=appointment, by=desk, now=NOW)
    assert [h.action for h in appointment.history.all()] == ["created", "cancelled"]


def test_staff_may_cancel_at_any_time(salon, staff, services, dana, desk):
    appointment = book(salon, services[0], at(10), desk, customer=dana)
    assert appointment_cancel(appointment=appointment, by=desk, now=at(9, 59)).status == "cancelled"


def test_reschedule_keeps_the_id_and_records_old_and_new(salon, staff, services, dana, dana_actor, desk):
    appointment = book(salon, services[1], at(10), desk, staff=staff[0], customer=dana)
    moved = appointment_reschedule(appointment=appointment, start=at(14), staff=staff[1], by=dana_actor, now=NOW)
    moved.refresh_from_db()
    assert moved.pk == appointment.pk
    assert (moved.start, moved.end, moved.staff, moved.sequence) == (at(14), at(15, 30), staff[1], 1)
    assert (moved.blocked_range.lower, moved.blocked_range.upper) == (at(13, 50), at(15, 45))
    entry = moved.history.get(action=AppointmentHistory.Action.RESCHEDULED)
    assert (entry.old_start, entry.new_start, entry.old_staff_id, entry.new_staff_id) == (
        at(10),
        at(14),
        staff[0].pk,
        staff[1].pk,
    )


def test_reschedule_may_overlap_its_own_old_time(salon, staff, services, dana, desk):
    appointment = book(salon, services[0], at(10), desk, staff=staff[0], customer=dana)
    moved = appointment_reschedule(appointment=appointment, start=at(10, 15), by=desk, now=NOW)
    assert moved.start == at(10, 15) and moved.staff == staff[0]


def test_a_failed_reschedule_keeps_the_old_time(salon, staff, services, dana, desk):
    appointment = book(salon, services[0], at(10), desk, staff=staff[0], customer=dana)
    book(salon, services[0], at(12), desk, staff=staff[0], customer=dana)
    with pytest.raises(SlotUnavailable):
        appointment_reschedule(appointment=appointment, start=at(12), by=desk, now=NOW)
    appointment.refresh_from_db()
    assert (appointment.start, appointment.sequence, appointment.status) == (at(10), 0, "confirmed")


def test_customers_reschedule_only_outside_the_window(salon, staff, services, dana, dana_actor, desk):
    appointment = book(salon, services[0], at(10), desk, customer=dana)
    with pytest.raises(TooLateToCancel):
        appointment_reschedule(appointment=appointment, start=at(14), by=dana_actor, now=at(9))


# --- complete, no-show, auto-complete -----------------------------------------------------------


def test_completing_credits_visits_spending_and_points(salon, staff, services, dana, desk):
    salon.loyalty_points_per_unit = 2
    salon.save()
    first = book(salon, services[1], at(10), desk, customer=dana)  # 95.00
    second = book(salon, services[0], at(10, day=MONDAY + timedelta(days=1)), desk, customer=dana)  # 30.00
    appointment_complete(appointment=second, by=desk, now=at(12, day=MONDAY + timedelta(days=1)))
    appointment_complete(appointment=first, by=desk, now=at(12, day=MONDAY + timedelta(days=1)))
    relationship = CustomerBusinessRelationship.objects.get(customer=dana, business=salon)
    assert (relationship.total_visits, relationship.total_spent, relationship.loyalty_points) == (
        2,
        Decimal("125.00"),
        250,
    )
    assert (relationship.first_visit_at, relationship.last_visit_at) == (first.start, second.start)


def test_no_double_completion_and_no_show_counts_nothing(salon, staff, services, dana, desk):
    appointment = book(salon, services[0], at(10), desk, customer=dana)
    appointment_complete(appointment=appointment, by=desk, now=at(11))
    with pytest.raises(InvalidState):
        appointment_complete(appointment=appointment, by=desk, now=at(11))
    other = book(salon, services[0], at(14), desk, customer=dana)
    appointment_mark_no_show(appointment=other, by=desk, now=at(15))
    assert CustomerBusinessRelationship.objects.get(customer=dana).total_visits == 1
    with pytest.raises(InvalidState):
        appointment_complete(appointment=other, by=desk, now=at(15))


def test_customers_cannot_complete_and_nobody_completes_the_future(salon, staff, services, dana, dana_actor, desk):
    appointment = book(salon, services[0], at(10), desk, customer=dana)
    with pytest.raises(NotAllowed):
        appointment_complete(appointment=appointment, by=dana_actor, now=at(11))
    with pytest.raises(InvalidState):
        appointment_complete(appointment=appointment, by=desk, now=at(9))


def test_auto_complete_finishes_what_ended_long_enough_ago(salon, staff, services, dana, desk):
    salon.auto_complete_after_hours = 2
    salon.save()
    early = book(salon, services[0], at(9), desk, customer=dana)  # ends 09:30
    late = book(salon, services[0], at(11), desk, customer=dana)  # ends 11:30
    cancelled = book(salon, services[0], at(9), desk, staff=staff[1], customer=dana)
    appointment_cancel(appointment=cancelled, by=desk, now=NOW)
    assert appointments_auto_complete(now=at(12)) == 1
    assert Appointment.objects.get(pk=early.pk).status == "completed"
    assert Appointment.objects.get(pk=late.pk).status == "confirmed"
    assert Appointment.objects.get(pk=cancelled.pk).status == "cancelled"
    assert appointments_auto_complete(now=at(12)) == 0  # safe to run twice
    assert Appointment.objects.get(pk=early.pk).history.last().actor_label == "auto-complete"


def test_auto_complete_off_leaves_appointments(salon, staff, services, dana, desk):
    salon.auto_complete_after_hours = 0
    salon.save()
    book(salon, services[0], at(9), desk, customer=dana)
    assert appointments_auto_complete(now=at(23)) == 0


def test_auto_complete_command_and_task(salon, staff, services, dana, desk):
    import io

    from django.core.management import call_command

    from booking.tasks import auto_complete_appointments

    salon.auto_complete_after_hours = 1
    salon.save()
    book(salon, services[0], at(9, day=date(2020, 1, 6)), desk, customer=dana)
    book(salon, services[0], at(10, day=date(2020, 1, 6)), desk, customer=dana)
    out = io.StringIO()
    call_command("auto_complete_appointments", stdout=out)
    assert "Completed 2" in out.getvalue()
    assert auto_complete_appointments.delay().get() == 0
