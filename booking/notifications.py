"""Messages about appointments (DESIGN §7): who gets what, built once, sent once.

`notify(appointment_id, kind, sequence)` runs inside a Celery task. For each channel it
claims the `Notification` row (appointment, kind, channel, sequence) under a row lock and
sends only a row still `pending`, so a retried or duplicated task never sends twice. The
task decides about retries; this module says what happened.
"""

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Value
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from booking.ics import appointment_ics, manage_url
from booking.models import Appointment, Notification
from booking.selectors import visit_items
from businesses.models import Business
from config.languages import message_language
from customers.models import CustomerAccount, CustomerBusinessRelationship
from customers.selectors import sms_number
from customers.sms import SmsNotSent, SmsUncertain, send_sms

logger = logging.getLogger(__name__)
Kind, Channel, Status = Notification.Kind, Notification.Channel, Notification.Status


class DeliveryFailed(Exception):
    """The provider did not take the message. `retryable`: trying again may work."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class Outcome:
    channel: str
    status: str


def customer_channels(customer: CustomerAccount, business: Business) -> dict[str, str]:
    """Channel -> the customer's address for messages from this salon (e-mail; SMS where the
    salon sends them and the customer has not opted out)."""
    found: dict[str, str] = {Channel.EMAIL: customer.email} if customer.email else {}
    phone = sms_number(customer, business) if business.sms_enabled and not customer.sms_opt_out else ""
    if phone:
        found[Channel.SMS] = phone
    if customer.email and customer.email.endswith("@deleted.invalid"):  # erased: nobody to write to
        found.pop(Channel.EMAIL)
    return found


def recipients(appointment: Appointment, kind: str) -> dict[str, str]:
    """Channel -> address for this appointment and kind; channels that do not apply are left out."""
    found = customer_channels(appointment.customer, appointment.business)
    staff_user = appointment.staff.user
    if kind != Kind.REMINDER and staff_user is not None and staff_user.email:
        found[Channel.STAFF_EMAIL] = staff_user.email
    return found


def render(template: str, context: dict) -> str:
    """Render in the salon's time zone and the reader's language (`context["language"]`, else
    the customer's, else the salon's), so that words, dates, times and prices come out theirs."""
    language = context.get("language") or message_language(context.get("customer"), context["business"])
    with timezone.override(context["business"].zone), translation.override(language):
        return render_to_string(template, context)


def message_context(appointment: Appointment, kind: str) -> dict:
    business = appointment.business
    items = visit_items(appointment)
    return {
        "appointment": appointment,
        "items": items,
        "summary": " + ".join(item.service.name for item in items),
        "price": sum((item.price for item in items), Decimal(0)),
        "business": business,
        "customer": appointment.customer,
        "kind": kind,
        "local_start": items[0].start.astimezone(business.zone),
        "local_end": items[-1].end.astimezone(business.zone),
        "manage_url": manage_url(appointment),
        "book_url": f"{settings.SITE_URL}{reverse('customer-book')}?business={business.pk}",
        "sms_replies": settings.SMS_REPLIES,
    }


def build_email(appointment: Appointment, kind: str, to: str, *, for_staff: bool = False) -> EmailMultiAlternatives:
    context = message_context(appointment, kind)
    if for_staff:  # the client as the salon knows them (a walk-in may have no email or name)
        client = CustomerBusinessRelationship.objects.filter(
            customer=appointment.customer_id, business=appointment.business_id
        ).first()
        context["client_name"] = client.display_name if client else str(appointment.customer)
        context["client_phone"] = (client.phone if client else "") or appointment.customer.phone
        context["language"] = message_language(None, appointment.business)  # staff read the salon's
    prefix = "email/staff_notice" if for_staff else f"email/appointment_{kind}"
    subject = " ".join(render(f"{prefix}_subject.txt", context).split())
    message = EmailMultiAlternatives(subject, render(f"{prefix}_message.txt", context), to=[to])
    if not for_staff:
        message.attach_alternative(render(f"{prefix}_message.html", context), "text/html")
        method = "CANCEL" if appointment.status == Appointment.Status.CANCELLED else "REQUEST"
        with translation.override(message_language(appointment.customer, appointment.business)):
            invite = appointment_ics(appointment)
        message.attach("invite.ics", invite, f"text/calendar; charset=utf-8; method={method}")
    return message


def build_sms(appointment: Appointment, kind: str) -> str:
    return " ".join(render("sms/appointment.txt", message_context(appointment, kind)).split())


def send(appointment: Appointment, kind: str, channel: str, to: str) -> None:
    """Send one message. Raises DeliveryFailed (retry) or SmsUncertain (a person decides)."""
    if channel == Channel.SMS:
        send_message(lambda: send_sms(to, build_sms(appointment, kind)))
    else:
        send_message(build_email(appointment, kind, to, for_staff=channel == Channel.STAFF_EMAIL).send)


def send_message(send_it: Callable[[], object]) -> None:
    """Run one provider call, its failures said as DeliveryFailed (retry) or SmsUncertain."""
    try:
        send_it()
    except SmsNotSent as error:
        raise DeliveryFailed(str(error), retryable=error.retryable) from error
    except TimeoutError as error:
        raise SmsUncertain(f"no answer from the mail server in time: {error}") from error
    except (smtplib.SMTPException, ConnectionError, OSError) as error:
        raise DeliveryFailed(f"the mail server refused or could not be reached: {error}") from error


def still_current(appointment: Appointment, kind: str, sequence: int) -> bool:
    """A message about an old version (or a reminder for a cancelled one) is not sent."""
    if appointment.sequence != sequence:
        return False
    if kind == Kind.REMINDER:
        return appointment.status == Appointment.Status.CONFIRMED and not appointment.customer.reminders_opt_out
    return True


def record_pending(appointment: Appointment, kind: str) -> None:
    """The outbox: one pending row per message about this version of the appointment, written
    in the caller's transaction. If the broker is down when it commits, the booking still
    stands and `stranded` finds the rows for the sweeper; the claim in `deliver` keeps each
    message to one send however many tasks run for it."""
    rows = [
        Notification(appointment=appointment, kind=kind, channel=channel, sequence=appointment.sequence, recipient=to)
        for channel, to in recipients(appointment, kind).items()
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)


def stranded(now: datetime) -> list[tuple[str, str, int]]:
    """(appointment id, kind, sequence) of messages recorded a while ago (settings:
    NOTIFICATION_SWEEP_AFTER_SECONDS) whose task never ran: pending and never attempted. (One
    being retried has attempts; its task is scheduled.)"""
    found = (
        Notification.objects.filter(
            appointment__isnull=False,
            status=Status.PENDING,
            attempts=0,
            created_at__lt=now - timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER_SECONDS),
        )
        .values_list("appointment_id", "kind", "sequence")
        .distinct()
        .order_by()
    )
    return [(str(appointment_id), kind, sequence) for appointment_id, kind, sequence in found]


def notify(appointment_id: str, kind: str, sequence: int) -> list[Outcome]:
    """Send every message of `kind` for that version of the appointment, each at most once."""
    appointment = (
        Appointment.objects.select_related("business", "customer", "service", "staff__user")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        return []
    outcomes, failures = [], []
    for channel, to in recipients(appointment, kind).items():
        try:
            outcomes.append(Outcome(channel, deliver(appointment, kind, sequence, channel, to)))
        except DeliveryFailed as error:
            failures.append(error)
    if failures:
        raise failures[0]
    return outcomes


def deliver(appointment: Appointment, kind: str, sequence: int, channel: str, to: str) -> str:
    """Claim and send one message about the appointment (see claim_and_send)."""
    return claim_and_send(
        {"appointment": appointment, "kind": kind, "channel": channel, "sequence": sequence},
        to,
        current=lambda: still_current(appointment, kind, sequence),
        send_one=lambda: send(appointment, kind, channel, to),
    )


def claim_and_send(row_of: dict, to: str, *, current: Callable[[], bool], send_one: Callable[[], None]) -> str:
    """Claim the outbox row `row_of` names and send it once; returns its status, or raises a
    retryable DeliveryFailed after recording the attempt (outside the transaction, so the
    record stays). `current`: is the message still worth sending (else skipped)."""
    retry = None
    with transaction.atomic():
        Notification.objects.get_or_create(**row_of, defaults={"recipient": to})
        row = Notification.objects.select_for_update(skip_locked=True).filter(**row_of, status=Status.PENDING).first()
        if row is None:  # sent, given up, or being sent by another worker right now
            return "claimed elsewhere"
        row.recipient = to  # where it goes now (recorded at booking; the address may have changed)
        if not current():
            row.status = Status.SKIPPED
        else:
            row.attempts += 1
            try:
                send_one()
            except SmsUncertain as error:
                row.status, row.last_error = Status.UNCERTAIN, str(error)
                logger.warning("notification %s may or may not have gone out: %s", row.pk, error)
            except DeliveryFailed as error:
                row.last_error = str(error)
                if error.retryable:
                    retry = error
                else:
                    row.status = Status.FAILED
            else:
                row.status, row.sent_at, row.last_error = Status.SENT, timezone.now(), ""
        row.save(update_fields=["recipient", "status", "sent_at", "last_error", "attempts"])
    if retry is not None:
        raise retry
    return row.status


def give_up(appointment_id: str, kind: str, sequence: int) -> None:
    """After the last retry: what is still pending failed (visible in the admin)."""
    Notification.objects.filter(
        appointment_id=appointment_id, kind=kind, sequence=sequence, status=Status.PENDING
    ).update(status=Status.FAILED)


def reminder_due_at(appointment: Appointment) -> datetime:
    """`reminder_hours_before` the start on the salon's wall clock (the day before at the same
    local time for 24 hours, also across a DST change)."""
    zone = appointment.business.zone
    local_start = appointment.start.astimezone(zone).replace(tzinfo=None)
    return (local_start - timedelta(hours=appointment.business.reminder_hours_before)).replace(tzinfo=zone)


def due_reminders(now: datetime) -> list[Appointment]:
    """Confirmed appointments whose reminder is due and not yet claimed for their version; of
    a visit only its first standing item (the lead: one reminder covers the visit)."""
    claimed = Notification.objects.filter(
        appointment=OuterRef("pk"), kind=Kind.REMINDER, sequence=OuterRef("sequence")
    )
    earlier_in_visit = Appointment.objects.filter(
        visit=OuterRef("visit"), start__lt=OuterRef("start"), status=Appointment.Status.CONFIRMED
    )
    # A coarse cut in SQL (an hour of slack for DST), the exact wall-clock rule in Python.
    latest_start = ExpressionWrapper(
        Value(now + timedelta(hours=1)) + F("business__reminder_hours_before") * Value(timedelta(hours=1)),
        output_field=DateTimeField(),
    )
    candidates = (
        Appointment.objects.annotate(latest_start=latest_start)
        .filter(
            status=Appointment.Status.CONFIRMED,
            start__gt=now,
            start__lte=F("latest_start"),
            business__reminders_enabled=True,
            customer__reminders_opt_out=False,
        )
        .filter(~Exists(claimed), ~Exists(earlier_in_visit))
        .select_related("business")
    )
    return [appointment for appointment in candidates if reminder_due_at(appointment) <= now]
