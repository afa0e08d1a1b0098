"""Celery tasks: take ids, load, call booking code; safe to run twice."""

from celery import Task
from django.utils import timezone

from booking import notifications, waitlist
from booking.holds import expired_holds_delete
from booking.queue import OFFER_WAITLIST, SEND_APPOINTMENT_NOTIFICATION, SEND_WAITLIST_OFFER
from booking.services import appointments_auto_complete
from businesses.models import Business
from config.celery import app

MAX_RETRIES = 5


@app.task(name="booking.auto_complete_appointments")
def auto_complete_appointments() -> int:
    """Beat runs this every 15 minutes (settings.CELERY_BEAT_SCHEDULE); safe to run twice."""
    return appointments_auto_complete()


@app.task(name="booking.delete_expired_holds")
def delete_expired_holds() -> int:
    """Beat runs this hourly: only tidying, since an expired hold never counts."""
    return expired_holds_delete()


@app.task(name=SEND_APPOINTMENT_NOTIFICATION, bind=True, max_retries=MAX_RETRIES)
def send_appointment_notification(self: Task, appointment_id: str, kind: str, sequence: int) -> list[str]:
    """Send the messages of `kind` about version `sequence` of the appointment, once each.

    A provider that did not take a message is retried with exponential backoff (30 s,
    1 min, 2 min, ...); after the last try the message is marked failed for the admin.
    """
    try:
        return [outcome.status for outcome in notifications.notify(appointment_id, kind, sequence)]
    except notifications.DeliveryFailed as error:
        if self.request.retries >= self.max_retries or self.app.conf.task_always_eager:
            notifications.give_up(appointment_id, kind, sequence)
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error


@app.task(name="booking.send_due_reminders")
def send_due_reminders() -> int:
    """Beat runs this every 5 minutes; each due reminder is recorded (the outbox), then
    becomes its own task."""
    due = notifications.due_reminders(timezone.now())
    for appointment in due:
        notifications.record_pending(appointment, notifications.Kind.REMINDER)
        send_appointment_notification.delay(str(appointment.pk), notifications.Kind.REMINDER, appointment.sequence)
    return len(due)


@app.task(name="booking.sweep_notifications")
def sweep_notifications() -> int:
    """Beat runs this every minute: messages recorded whose task never ran (the broker was
    down when their booking committed) are queued again; the claim keeps each to one send."""
    found = notifications.stranded(timezone.now())
    for appointment_id, kind, sequence in found:
        send_appointment_notification.delay(appointment_id, kind, sequence)
    return len(found)


@app.task(name=OFFER_WAITLIST)
def offer_waitlist(business_id: str) -> int:
    """A change may have freed time at this salon: offer it to those waiting (safe to run twice:
    one look at a time per salon, and an entry never gets two open offers)."""
    business = Business.objects.filter(pk=business_id).first()
    return len(waitlist.waitlist_offer_due(business)) if business is not None else 0


@app.task(name=SEND_WAITLIST_OFFER, bind=True, max_retries=MAX_RETRIES)
def send_waitlist_offer(self: Task, offer_id: str) -> list[str]:
    """Send a waitlist offer's e-mail and SMS once each, retried as appointment messages are."""
    try:
        return [outcome.status for outcome in waitlist.notify_offer(offer_id)]
    except notifications.DeliveryFailed as error:
        if self.request.retries >= self.max_retries or self.app.conf.task_always_eager:
            waitlist.offer_give_up(offer_id)
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error


@app.task(name="booking.sweep_waitlist")
def sweep_waitlist() -> int:
    """Beat runs this every minute: expired offers let the next in line have their time, and
    offers whose messages were never tried are queued again."""
    for offer_id in waitlist.stranded_offers(timezone.now()):
        send_waitlist_offer.delay(offer_id)
    return waitlist.waitlist_sweep()
