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
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from booking.errors import TooLateToCancel
from booking.models import Appointment, Notification
from booking.selectors import upcoming, visit_items
from booking.services import Actor, appointment_cancel, appointment_client_confirm
from booking.visits import visit_cancel
from config.errors import DomainError
from config.languages import message_language
from config.locale_format import pattern_date
from customers.errors import InvalidContact
from customers.models import CustomerAccount, CustomerBusinessRelationship
from customers.services import normalize_phone
from customers.sms import masked

logger = logging.getLogger(__name__)

CONFIRM = {"C", "YES", "Y", "CONFIRM"}
CANCEL = {"X", "CANCEL"}
STOP = {"STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT"}
START = {"START", "UNSTOP"}
# Translators: C, X and STOP are the words a reply may start with; they stay as they are.
HELP = gettext_lazy("Reply C to confirm your appointment, X to cancel it, or STOP to get no more texts.")
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
    """Act on an inbound text from `phone`; returns the answer to text back, in the language of
    the texts that number gets (its customer's, else the salon's; the request's for a stranger)."""
    now = now or timezone.now()
    word = (body.strip().split() or [""])[0].upper().strip(".!,")
    try:
        number = normalize_phone(phone)
    except InvalidContact:
        return str(HELP)
    logger.info("sms reply %r from %s", word[:12], masked(number))
    customers = customers_with(number)
    with translation.override(message_language(customers[0], None) if customers else translation.get_language()):
        return answer(word, number, customers, now=now)


def answer(word: str, number: str, customers: list[CustomerAccount], *, now: datetime) -> str:
    if word in STOP | START:
        opted_out = word in STOP
        CustomerAccount.objects.filter(pk__in=[c.pk for c in customers]).update(sms_opt_out=opted_out)
        if opted_out:
            # Translators: START is a word the reply may be; it stays as it is.
            return _("You will get no more texts from us. Reply START to get them again.")
        # Translators: STOP is a word the reply may be; it stays as it is.
        return _("You will get texts from us again. Reply STOP to stop them.")
    if word not in CONFIRM | CANCEL:
        return str(HELP)
    appointments = texted_appointments(number, now=now)
    if not appointments:
        return _("We could not find an upcoming appointment for this number. Please call the salon.")
    if len(appointments) > 1:
        link = f"{settings.SITE_URL}{reverse('customer-history')}"
        message = ngettext(
            "You have %(count)d upcoming appointment with us, so we changed none. "
            "Manage it at %(link)s or call the salon.",
            "You have %(count)d upcoming appointments with us, so we changed none. "
            "Manage them at %(link)s or call the salon.",
            len(appointments),
        )
        return message % {"count": len(appointments), "link": link}
    appointment = appointments[0]
    with translation.override(message_language(appointment.customer, appointment.business)):
        return act_on(appointment, confirm=word in CONFIRM, now=now, number=number)


def act_on(appointment: Appointment, *, confirm: bool, now: datetime, number: str) -> str:
    business = appointment.business
    local = timezone.localtime(appointment.start, business.zone)
    # "Tue 03 Mar 10:00" in English (strftime's "%a %d %b %H:%M"), the day and month in the reader's language.
    when = f"{pattern_date(local.date(), 'EEE dd MMM')} {local:%H:%M}"
    summary = " + ".join(item.service.name for item in visit_items(appointment))
    by = Actor(user=appointment.customer.user, label=f"SMS reply from {masked(number)}")  # history, not a text
    try:
        if confirm:
            appointment_client_confirm(appointment=appointment, by=by, now=now)
            return _("%(salon)s: thank you, see you %(when)s for %(summary)s.") % {
                "salon": business.name,
                "when": when,
                "summary": summary,
            }
        if appointment.visit is not None:
            visit_cancel(visit=appointment.visit, by=by, reason="Cancelled by SMS reply.", now=now)
        else:
            appointment_cancel(appointment=appointment, by=by, reason="Cancelled by SMS reply.", now=now)
    except TooLateToCancel:
        if business.phone:
            message = _("%(salon)s: it is too late to cancel %(when)s by text. Please call us on %(phone)s.")
        else:
            message = _("%(salon)s: it is too late to cancel %(when)s by text. Please call us.")
        return message % {"salon": business.name, "when": when, "phone": business.phone}
    except DomainError as error:
        # Translators: a text message: the salon's name, then why nothing changed.
        return _("%(salon)s: %(message)s") % {"salon": business.name, "message": error.message}
    return _("%(salon)s: cancelled %(summary)s %(when)s.") % {"salon": business.name, "summary": summary, "when": when}
