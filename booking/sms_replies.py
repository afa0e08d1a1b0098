"""Two-way SMS (issue 20): a reply to a confirmation or reminder text acts on that appointment.

`C`/`YES` confirms (recorded on the appointment, shown to staff), `X`/`CANCEL` cancels under
the customer's rules (outside the cancellation window; inside it they are told to call),
`STOP` opts the number out of texts and `START` back in. A number that matches no upcoming
appointment we texted it about, or several, gets a helpful answer and nothing changes.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from booking.errors import TooLateToCancel
from booking.models import Appointment, Notification
from booking.selectors import upcoming, visit_items
from booking.services import Actor, appointment_cancel, appointment_client_confirm
from booking.visits import visit_cancel
from config.errors import DomainError
from customers.errors import InvalidContact
from customers.models import CustomerAccount, CustomerBusinessRelationship
from customers.services import normalize_phone
from customers.sms import masked

logger = logging.getLogger(__name__)

CONFIRM = {"C", "YES", "Y", "CONFIRM"}
CANCEL = {"X", "CANCEL"}
STOP = {"STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT"}
START = {"START", "UNSTOP"}
HELP = "Reply C to confirm your appointment, X to cancel it, or STOP to get no more texts."
# The texts a reply can answer: about an appointment still to come.
ANSWERABLE = (Notification.Kind.CONFIRMATION, Notification.Kind.UPDATE, Notification.Kind.REMINDER)


def texted_appointments(phone: str, *, now: datetime) -> list[Appointment]:
    """The upcoming appointments (a visit by its first item) we texted this number about."""
    texted = Notification.objects.filter(
        appointment=OuterRef("pk"),
        channel=Notification.Channel.SMS,
        recipient=phone,
        kind__in=ANSWERABLE,
        status=Notification.Status.SENT,
    )
    found = (
        Appointment.objects.filter(upcoming(now), Exists(texted), start__gt=now)  # upcoming, not begun
        .select_related("business", "customer", "service", "staff", "visit")
        .order_by("start")
    )
    leads: dict = {}
    for appointment in found:
        leads.setdefault(appointment.visit_id or appointment.pk, appointment)
    return list(leads.values())


def customers_with(phone: str) -> list[CustomerAccount]:
    """Everyone we might text at this number: their own (verified or not) or a salon's entry."""
    entered = CustomerBusinessRelationship.objects.filter(phone=phone).values("customer")
    return list(CustomerAccount.objects.filter(phone=phone) | CustomerAccount.objects.filter(pk__in=entered))


def sms_reply(*, phone: str, body: str, now: datetime | None = None) -> str:
    """Act on an inbound text from `phone`; returns the answer to text back."""
    now = now or timezone.now()
    word = (body.strip().split() or [""])[0].upper().strip(".!,")
    try:
        number = normalize_phone(phone)
    except InvalidContact:
        return HELP
    logger.info("sms reply %r from %s", word[:12], masked(number))
    if word in STOP | START:
        opted_out = word in STOP
        CustomerAccount.objects.filter(pk__in=[c.pk for c in customers_with(number)]).update(sms_opt_out=opted_out)
        if opted_out:
            return "You will get no more texts from us. Reply START to get them again."
        return "You will get texts from us again. Reply STOP to stop them."
    if word not in CONFIRM | CANCEL:
        return HELP
    appointments = texted_appointments(number, now=now)
    if not appointments:
        return "We could not find an upcoming appointment for this number. Please call the salon."
    if len(appointments) > 1:
        link = f"{settings.SITE_URL}{reverse('customer-history')}"
        return (
            f"You have {len(appointments)} upcoming appointments with us, so we changed none. "
            f"Manage them at {link} or call the salon."
        )
    return act_on(appointments[0], confirm=word in CONFIRM, now=now, number=number)


def act_on(appointment: Appointment, *, confirm: bool, now: datetime, number: str) -> str:
    business = appointment.business
    when = timezone.localtime(appointment.start, business.zone).strftime("%a %d %b %H:%M")
    summary = " + ".join(item.service.name for item in visit_items(appointment))
    by = Actor(user=appointment.customer.user, label=f"SMS reply from {masked(number)}")
    try:
        if confirm:
            appointment_client_confirm(appointment=appointment, by=by, now=now)
            return f"{business.name}: thank you, see you {when} for {summary}."
        if appointment.visit is not None:
            visit_cancel(visit=appointment.visit, by=by, reason="Cancelled by SMS reply.", now=now)
        else:
            appointment_cancel(appointment=appointment, by=by, reason="Cancelled by SMS reply.", now=now)
    except TooLateToCancel:
        phone = f" on {business.phone}" if business.phone else ""
        return f"{business.name}: it is too late to cancel {when} by text. Please call us{phone}."
    except DomainError as error:
        return f"{business.name}: {error.message}"
    return f"{business.name}: cancelled {summary} {when}."
