"""Confirmations, changes, cancellations and reminders: sent once, never blocking a booking."""

import smtplib
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from icalendar import Calendar

from booking.models import Appointment, Notification
from booking.services import Actor, appointment_book, appointment_cancel, appointment_reschedule
from booking.tasks import send_appointment_notification, send_due_reminders
from customers.sms import SmsUncertain
from tests.factories import UserFactory

MONDAY_10 = datetime(2030, 3, 4, 10, tzinfo=UTC)
DESK = Actor.system("desk")


class RefusingEmailBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x": (550, b"no")})


def book(salon, service, staff, customer, start=MONDAY_10):
    return appointment_book(business=salon, service=service, staff=staff, start=start, by=DESK, customer=customer)


def invite_of(message) -> Calendar:
    (name, content, mimetype) = message.attachments[0]
    assert name == "invite.ics" and mimetype.startswith("text/calendar")
    return Calendar.from_ical(content)


def event_of(message):
    return invite_of(message).walk("VEVENT")[0]


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


@pytest.mark.django_db
def test_a_booking_sends_one_confirmation_with_an_invite(salon, staff, services, dana, capture):
    appointment = capture(lambda: book(salon, services[0], staff[0], dana))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dana@example.com"]
    assert message.subject.startswith("Booked: Cut at Salon Alpha")
    assert "Monday, 4 March 2030, 10:00" in message.body and "Europe/London" in message.body
    assert f"/customer/appointments/{appointment.pk}" in message.body
    assert message.alternatives[0][1] == "text/html"
    calendar = invite_of(message)
    assert str(calendar["method"]) == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert str(event["uid"]) == f"appointment-{appointment.pk}@chairtime"
    assert event["sequence"] == 0
    assert event.decoded("dtstart") == MONDAY_10
    assert str(event["dtstart"].params["TZID"]) == "Europe/London"
    assert Notification.objects.get().status == "sent"


@pytest.mark.django_db
def test_reschedule_and_cancel_keep_the_uid_and_raise_the_sequence(salon, staff, services, dana, capture):
    appointment = capture(lambda: book(salon, services[0], staff[0], dana))
    capture(lambda: appointment_reschedule(appointment=appointment, start=MONDAY_10 + timedelta(hours=2), by=DESK))
    capture(lambda: appointment_cancel(appointment=appointment, by=DESK))
    confirmation, update, cancellation = mail.outbox
    assert confirmation.subject.startswith("Booked:")
    assert update.subject.startswith("Changed:") and cancellation.subject.startswith("Cancelled:")
    uids = {str(event_of(m)["uid"]) for m in mail.outbox}
    assert len(uids) == 1
    assert [event_of(m)["sequence"] for m in mail.outbox] == [0, 1, 2]
    assert event_of(update).decoded("dtstart") == MONDAY_10 + timedelta(hours=2)
    assert str(invite_of(cancellation)["method"]) == "CANCEL"
    assert str(event_of(cancellation)["status"]) == "CANCELLED"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_booking_sends_nothing(salon, staff, services, dana):
    with pytest.raises(RuntimeError), transaction.atomic():
        book(salon, services[0], staff[0], dana)
        raise RuntimeError("something later in the request failed")
    assert mail.outbox == [] and not Notification.objects.exists() and not Appointment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_failing_mail_server_does_not_fail_the_booking(salon, staff, services, dana, settings):
    settings.EMAIL_BACKEND = "tests.booking.test_notifications.RefusingEmailBackend"
    appointment = book(salon, services[0], staff[0], dana)
    assert Appointment.objects.get(pk=appointment.pk).status == "confirmed"
    notification = Notification.objects.get()
    assert notification.status == "failed" and "refused" in notification.last_error


@pytest.mark.django_db(transaction=True)
def test_sms_and_staff_notice_when_set_up(salon, staff, services, dana, sms_outbox):
    salon.sms_enabled = True
    salon.save()
    dana.phone, dana.phone_verified = "+447911123456", True
    dana.save()
    staff[0].user = UserFactory(email="ana@alpha.example")
    staff[0].save()
    book(salon, services[0], staff[0], dana)
    assert "Salon Alpha: booked Cut Mon 4 Mar 10:00" in sms_outbox.messages()[0]
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@alpha.example", "dana@example.com"]
    staff_notice = next(m for m in mail.outbox if m.to == ["ana@alpha.example"])
    assert "New booking" in staff_notice.body and "dana@example.com" in staff_notice.body
    assert set(Notification.objects.values_list("channel", "status")) == {
        ("email", "sent"),
        ("sms", "sent"),
        ("staff_email", "sent"),
    }


@pytest.mark.django_db(transaction=True)
def test_no_sms_for_customers_who_opted_out(salon, staff, services, dana, sms_outbox):
    salon.sms_enabled = True
    salon.save()
    dana.phone, dana.sms_opt_out = "+447911123456", True
    dana.save()
    book(salon, services[0], staff[0], dana)
    assert sms_outbox.messages() == []


@pytest.mark.django_db(transaction=True)
def test_the_same_task_twice_sends_once(salon, staff, services, dana):
    appointment = book(salon, services[0], staff[0], dana)
    send_appointment_notification.delay(str(appointment.pk), "confirmation", 0)
    send_appointment_notification.delay(str(appointment.pk), "confirmation", 0)
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_an_uncertain_sms_is_left_for_a_person(salon, staff, services, dana, monkeypatch):
    salon.sms_enabled = True
    salon.save()
    dana.phone, dana.phone_verified = "+447911123456", True
    dana.save()

    def timeout(to, body):
        raise SmsUncertain("read timeout")

    monkeypatch.setattr("booking.notifications.send_sms", timeout)
    book(salon, services[0], staff[0], dana)
    sms = Notification.objects.get(channel="sms")
    assert (sms.status, sms.attempts) == ("uncertain", 1)


@pytest.mark.django_db(transaction=True)
def test_the_admin_resends(client, alice, salon, staff, services, dana):
    appointment = book(salon, services[0], staff[0], dana)
    notification = Notification.objects.get()
    client.force_login(alice)
    client.post("/admin/booking/notification/", {"action": "resend", "_selected_action": [notification.pk]})
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["dana@example.com"]
    assert appointment.notifications.get().status == "sent"


# --- reminders ----------------------------------------------------------------------------------


@pytest.fixture
def reminders_on(salon):
    salon.reminders_enabled, salon.reminder_hours_before = True, 24
    salon.save()
    return salon


@pytest.mark.django_db(transaction=True)
def test_due_reminders_are_sent_once(reminders_on, staff, services, dana, time_machine):
    time_machine.move_to(datetime(2030, 3, 1, 12, tzinfo=UTC), tick=False)
    appointment = book(reminders_on, services[0], staff[0], dana)
    mail.outbox.clear()
    time_machine.move_to(MONDAY_10 - timedelta(hours=24, minutes=1), tick=False)
    assert send_due_reminders() == 0
    time_machine.move_to(MONDAY_10 - timedelta(hours=23), tick=False)
    assert send_due_reminders() == 1
    assert send_due_reminders() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.startswith("Reminder:")
    assert appointment.notifications.get(kind="reminder").status == "sent"


@pytest.mark.django_db(transaction=True)
def test_cancelled_and_opted_out_get_no_reminder(reminders_on, staff, services, dana, time_machine):
    time_machine.move_to(datetime(2030, 3, 1, 12, tzinfo=UTC), tick=False)
    cancelled = book(reminders_on, services[0], staff[0], dana)
    appointment_cancel(appointment=cancelled, by=DESK)
    from tests.factories import CustomerFactory

    quiet = CustomerFactory(email="quiet@example.com", reminders_opt_out=True)
    book(reminders_on, services[0], staff[1], quiet)
    mail.outbox.clear()
    time_machine.move_to(MONDAY_10 - timedelta(hours=2), tick=False)
    assert send_due_reminders() == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_reminder_about_an_old_version_is_skipped(reminders_on, staff, services, dana):
    appointment = book(reminders_on, services[0], staff[0], dana)
    appointment_reschedule(appointment=appointment, start=MONDAY_10 + timedelta(hours=3), by=DESK)
    mail.outbox.clear()
    send_appointment_notification.delay(str(appointment.pk), "reminder", 0)
    assert mail.outbox == []
    assert appointment.notifications.get(kind="reminder").status == "skipped"


@pytest.mark.django_db(transaction=True)
def test_a_reminder_in_the_dst_week_comes_at_the_same_local_time(reminders_on, staff, services, dana, time_machine):
    # London springs forward on Sunday 2027-03-28. A Monday 10:00 BST appointment (09:00 UTC)
    # is reminded on Sunday at 10:00 BST (09:00 UTC), 23 real hours before, not at 09:00 BST.
    start = datetime.combine(date(2027, 3, 29), time(10), tzinfo=reminders_on.zone)
    time_machine.move_to(datetime(2027, 3, 20, tzinfo=UTC), tick=False)
    book(reminders_on, services[0], staff[0], dana, start=start)
    mail.outbox.clear()
    time_machine.move_to(datetime(2027, 3, 28, 8, 59, tzinfo=UTC), tick=False)
    assert send_due_reminders() == 0
    time_machine.move_to(datetime(2027, 3, 28, 9, 0, tzinfo=UTC), tick=False)
    assert send_due_reminders() == 1
    assert "Monday, 29 March 2027, 10:00" in mail.outbox[0].body
