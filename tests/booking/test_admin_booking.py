"""The admin books, reschedules, cancels and completes through the booking services."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.urls import reverse

from booking.models import Appointment
from booking.services import Actor, appointment_book

MONDAY = date(2030, 3, 4)


def at(hour, minute=0, day=MONDAY):
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def add_form(salon, service, *, day=MONDAY, at_time="10:00", staff="", email="walkin@example.com"):
    return {
        "business": salon.pk,
        "service": service.pk,
        "staff": staff,
        "date": day.isoformat(),
        "time": at_time,
        "customer_email": email,
        "customer_first_name": "Walk",
        "customer_last_name": "In",
        "customer_phone": "",
        "notes": "by the desk",
        "history-TOTAL_FORMS": "0",
        "history-INITIAL_FORMS": "0",
    }


def test_staff_book_in_the_admin_at_salon_local_time(client, bob, salon, staff, services):
    salon.timezone = "Europe/Paris"  # local 10:00 = 09:00 UTC in March
    salon.save()
    client.force_login(bob)
    response = client.post(reverse("admin:booking_appointment_add"), add_form(salon, services[0]))
    assert response.status_code == 302, response.content.decode()[:2000]
    appointment = Appointment.objects.get()
    assert appointment.start == at(9)
    assert (appointment.source, appointment.notes, appointment.customer.email) == (
        "admin",
        "by the desk",
        "walkin@example.com",
    )
    assert appointment.history.get().actor_label == "bob@alpha.example"


def test_a_taken_slot_is_a_form_error_not_a_500(client, bob, salon, staff, services, dana):
    for member in staff:
        appointment_book(
            business=salon, service=services[0], staff=member, start=at(10), by=Actor.system(), customer=dana
        )
    client.force_login(bob)
    response = client.post(reverse("admin:booking_appointment_add"), add_form(salon, services[0]))
    assert response.status_code == 200
    assert "not available" in response.content.decode()
    assert Appointment.objects.count() == 2


def test_reschedule_in_the_change_form(client, bob, salon, staff, services, dana):
    appointment = appointment_book(
        business=salon, service=services[0], staff=staff[0], start=at(10), by=Actor.system(), customer=dana
    )
    client.force_login(bob)
    url = reverse("admin:booking_appointment_change", args=[appointment.pk])
    response = client.post(
        url,
        {
            "notes": "moved",
            "reschedule_date": "2030-03-05",
            "reschedule_time": "11:00",
            "reschedule_staff": staff[1].pk,
            "history-TOTAL_FORMS": "1",
            "history-INITIAL_FORMS": "1",
            "history-0-id": appointment.history.get().pk,
            "history-0-appointment": appointment.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    appointment.refresh_from_db()
    assert (appointment.start, appointment.staff, appointment.notes, appointment.sequence) == (
        at(11, day=date(2030, 3, 5)),
        staff[1],
        "moved",
        1,
    )


@pytest.mark.parametrize(
    ("action", "status"),
    [("cancel_selected", "cancelled"), ("complete_selected", "completed"), ("mark_no_show_selected", "no_show")],
)
def test_admin_actions_use_the_services(client, bob, salon, staff, services, dana, action, status):
    past = appointment_book(
        business=salon,
        service=services[0],
        staff=staff[0],
        start=at(10, day=date(2020, 1, 6)),
        by=Actor.system(),
        customer=dana,
    )
    client.force_login(bob)
    response = client.post(
        reverse("admin:booking_appointment_changelist"), {"action": action, "_selected_action": [past.pk]}, follow=True
    )
    assert response.status_code == 200
    past.refresh_from_db()
    assert past.status == status
    assert (
        past.history.last().action
        == {"cancelled": "cancelled", "completed": "completed", "no_show": "no_show"}[status]
    )


def test_refused_actions_are_reported(client, bob, salon, staff, services, dana):
    future = appointment_book(
        business=salon,
        service=services[0],
        staff=staff[0],
        start=at(10) + timedelta(days=3650),
        by=Actor.system(),
        customer=dana,
    )
    client.force_login(bob)
    response = client.post(
        reverse("admin:booking_appointment_changelist"),
        {"action": "complete_selected", "_selected_action": [future.pk]},
        follow=True,
    )
    assert "has not started" in response.content.decode()
    future.refresh_from_db()
    assert future.status == "confirmed"


def test_booking_form_choices_are_scoped(client, bob, salon, services, other_salon):
    client.force_login(bob)
    form = client.get(reverse("admin:booking_appointment_add")).context["adminform"].form
    assert list(form.fields["business"].queryset) == [salon]
    assert set(form.fields["service"].queryset) == set(services)


def test_validating_the_add_form_books_nothing(bob, salon, staff, services, rf):
    from booking.admin import AppointmentAdmin
    from booking.models import Appointment as Model
    from config.admin_site import ChairtimeAdminSite

    request = rf.get("/admin/booking/appointment/add/")
    request.user = bob
    form_class = AppointmentAdmin(Model, ChairtimeAdminSite()).get_form(request, None, change=False)
    form = form_class(add_form(salon, services[0]))
    assert form.is_valid(), form.errors
    assert form.is_valid()  # validating twice books nothing either
    assert not Appointment.objects.exists()
    assert form.apply().start == at(10)  # the admin books only when it saves
    assert Appointment.objects.count() == 1


def test_a_refused_reschedule_keeps_the_appointment_and_shows_why(client, bob, salon, staff, services, dana):
    first = appointment_book(
        business=salon, service=services[0], staff=staff[0], start=at(10), by=Actor.system(), customer=dana
    )
    appointment_book(
        business=salon, service=services[0], staff=staff[0], start=at(11), by=Actor.system(), customer=dana
    )
    client.force_login(bob)
    url = reverse("admin:booking_appointment_change", args=[first.pk])
    response = client.post(
        url,
        {
            "notes": "moved?",
            "reschedule_date": MONDAY.isoformat(),
            "reschedule_time": "11:00",
            "reschedule_staff": "",
            "history-TOTAL_FORMS": "0",
            "history-INITIAL_FORMS": "0",
            "notifications-TOTAL_FORMS": "0",
            "notifications-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "not available" in response.content.decode()
    first.refresh_from_db()
    assert (first.start, first.notes, first.sequence) == (at(10), "", 0)  # nothing of the refused edit saved


def test_the_admin_books_over_a_customers_hold_only_when_told_to(client, bob, salon, staff, services):
    from django.utils import timezone

    from booking.holds import hold_create
    from booking.models import SlotHold

    day = timezone.localdate(timezone=salon.zone) + timedelta(days=3)
    day += timedelta(days=1) if day.weekday() == 6 else timedelta(0)  # closed on Sundays
    hold_create(
        business=salon, items=[(services[0], staff[0])], start=datetime.combine(day, time(10), tzinfo=salon.zone)
    )
    client.force_login(bob)
    form = add_form(salon, services[0], day=day, staff=staff[0].pk)
    refused = client.post(reverse("admin:booking_appointment_add"), form)
    assert refused.status_code == 200
    assert "A customer is holding this time" in refused.content.decode()
    assert not Appointment.objects.exists()
    booked = client.post(reverse("admin:booking_appointment_add"), {**form, "override_holds": "on"})
    assert booked.status_code == 302, booked.content.decode()[:2000]
    assert Appointment.objects.get().staff == staff[0]
    assert not SlotHold.objects.exists()
