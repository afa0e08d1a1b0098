"""The waitlist (DESIGN §12): customers wait for a service at times they can make; freed
times are offered to them in joining order, by e-mail and SMS, with a one-click link.

An offer holds its time for the salon's offer window (booking.holds), so the next in line is
asked only once the first lets it go; where the salon chooses "first to click", every
matching entry is offered the time at once and no hold is taken. What can be offered is
worked out from the book as it stands (`offerable_slot`), so the changes that free time
(a cancellation, a move, an early no-show, time off removed, longer hours) only ask for a
look soon (`queue_waitlist_look`), and beat's sweeper looks every minute whatever happened.
"""

import functools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from booking.availability import Slot
from booking.errors import BookingInvalid, InvalidState, SlotUnavailable
from booking.holds import hold_create
from booking.locks import lock_booking
from booking.models import Appointment, Notification, SlotHold, WaitlistEntry, WaitlistOffer
from booking.notifications import (
    Channel,
    DeliveryFailed,
    Kind,
    Outcome,
    claim_and_send,
    customer_channels,
    render,
    send_message,
)
from booking.queue import queue_waitlist_look, queue_waitlist_offer
from booking.selectors import (
    MAX_AVAILABILITY_DAYS,
    available_slots,
    customer_window,
    hold_token_hash,
    last_bookable_day,
)
from booking.services import Actor, appointment_book, ensure_bookable, least_booked_first
from businesses.models import Business, Service, StaffMember
from config.errors import Busy
from customers.models import CustomerAccount
from customers.sms import send_sms

logger = logging.getLogger(__name__)

MAX_WINDOWS = 10
MAX_WAITING_PER_CUSTOMER = 5  # per salon


@dataclass(frozen=True)
class Window:
    """Local dates (both included), optionally the weekdays (0 = Monday) and the time of day
    the customer can make: the appointment starts at or after `from_time` and ends by `to_time`."""

    from_date: date
    to_date: date
    from_time: time | None = None
    to_time: time | None = None
    weekdays: tuple[int, ...] | None = None

    def allows(self, start: datetime, end: datetime) -> bool:
        """`start`, `end`: local to the salon."""
        day = start.date()
        if not self.from_date <= day <= self.to_date:
            return False
        if self.weekdays is not None and day.weekday() not in self.weekdays:
            return False
        if self.from_time is not None and start.time() < self.from_time:
            return False
        return self.to_time is None or (end.date() == day and end.time() <= self.to_time)

    def as_json(self) -> dict:
        """As stored and as the API shows it: the optional parts only where given."""
        found: dict = {"from_date": self.from_date.isoformat(), "to_date": self.to_date.isoformat()}
        if self.from_time is not None:
            found["from_time"] = self.from_time.strftime("%H:%M")
        if self.to_time is not None:
            found["to_time"] = self.to_time.strftime("%H:%M")
        if self.weekdays is not None:
            found["weekdays"] = list(self.weekdays)
        return found

    @classmethod
    def from_json(cls, raw: dict) -> "Window":
        return cls(
            from_date=date.fromisoformat(raw["from_date"]),
            to_date=date.fromisoformat(raw["to_date"]),
            from_time=time.fromisoformat(raw["from_time"]) if raw.get("from_time") else None,
            to_time=time.fromisoformat(raw["to_time"]) if raw.get("to_time") else None,
            weekdays=tuple(raw["weekdays"]) if raw.get("weekdays") is not None else None,
        )


def windows_of(entry: WaitlistEntry) -> list[Window]:
    return [Window.from_json(raw) for raw in entry.windows]


def ensure_windows(business: Business, windows: Sequence[Window], *, today: date) -> None:
    """1 to MAX_WINDOWS windows, each ending on or after today, within the booking horizon,
    with its times and weekdays in order; BookingInvalid naming the field otherwise."""
    if not 1 <= len(windows) <= MAX_WINDOWS:
        message = ngettext("Give 1 to %(max)d window.", "Give 1 to %(max)d windows.", MAX_WINDOWS) % {
            "max": MAX_WINDOWS
        }
        raise BookingInvalid(message, fields={"windows": [message]})
    horizon = last_bookable_day(business, today=today)
    errors = {}
    for index, window in enumerate(windows):
        field = f"windows.{index}"
        if window.to_date < window.from_date:
            # Translators: from_date is the name of an API field; keep it as it is.
            errors[f"{field}.to_date"] = [_("Must be on or after from_date.")]
        elif window.to_date < today:
            errors[f"{field}.to_date"] = [_("This window is over.")]
        elif window.from_date > horizon:
            errors[f"{field}.from_date"] = [
                _("The salon takes bookings up to %(date)s.") % {"date": horizon.isoformat()}
            ]
        if window.from_time and window.to_time and window.to_time <= window.from_time:
            # Translators: from_time is the name of an API field; keep it as it is.
            errors[f"{field}.to_time"] = [_("Must be after from_time.")]
        if window.weekdays is not None and (not window.weekdays or not set(window.weekdays) <= set(range(7))):
            errors[f"{field}.weekdays"] = [_("Give one or more weekdays, 0 (Monday) to 6 (Sunday).")]
    if errors:
        raise BookingInvalid(fields=errors)


def waitlist_join(
    *,
    customer: CustomerAccount,
    business: Business,
    service: Service,
    staff: StaffMember | None,
    windows: Sequence[Window],
    now: datetime | None = None,
) -> WaitlistEntry:
    """Put the customer on the salon's waitlist; a look for a time follows at once."""
    now = now or timezone.now()
    ensure_bookable(business, service, staff)
    ensure_windows(business, windows, today=timezone.localdate(now, business.zone))
    with transaction.atomic():
        lock_booking(staff_ids=(), customer_id=customer.pk)  # the count below, against parallel joins
        if waiting(business, now=now).filter(customer=customer).count() >= MAX_WAITING_PER_CUSTOMER:
            message = ngettext(
                "You are already waiting for %(count)d time here, the most we keep.",
                "You are already waiting for %(count)d times here, the most we keep.",
                MAX_WAITING_PER_CUSTOMER,
            ) % {"count": MAX_WAITING_PER_CUSTOMER}
            raise InvalidState(message)
        entry = WaitlistEntry.objects.create(
            business=business,
            customer=customer,
            service=service,
            staff=staff,
            windows=[window.as_json() for window in windows],
            last_date=max(window.to_date for window in windows),
        )
        queue_waitlist_look(business.pk)
    return entry


def waiting(business: Business | None = None, *, now: datetime) -> QuerySet[WaitlistEntry]:
    """Entries that may still be waiting: not booked or left, and not past their last date by
    a day's slack in SQL (the salon's zone decides: `is_current`)."""
    entries = WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.WAITING, last_date__gte=(now - timedelta(days=1)).date()
    )
    return entries.filter(business=business) if business is not None else entries


def is_current(entry: WaitlistEntry, *, now: datetime) -> bool:
    """Still waiting: the one rule (with `waiting` for the SQL cut)."""
    return entry.status == WaitlistEntry.Status.WAITING and entry.last_date >= timezone.localdate(
        now, entry.business.zone
    )


def customer_waitlist(customer: CustomerAccount, *, now: datetime) -> list[WaitlistEntry]:
    """The customer's entries still waiting, in joining order."""
    entries = waiting(now=now).filter(customer=customer).select_related("business", "service", "staff")
    return [entry for entry in entries if is_current(entry, now=now)]


def customer_entry(customer: CustomerAccount, pk: object, *, now: datetime) -> WaitlistEntry | None:
    """One of the customer's entries still waiting (another's, or one not waiting: None)."""
    return next((entry for entry in customer_waitlist(customer, now=now) if entry.pk == pk), None)


def waitlist_leave(*, entry: WaitlistEntry) -> None:
    """The customer leaves the waitlist; an open offer to them ends and its time is freed."""
    with transaction.atomic():
        WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistEntry.Status.LEFT)
        for offer in WaitlistOffer.objects.filter(entry=entry, status=WaitlistOffer.Status.OPEN):
            close_offer(offer, WaitlistOffer.Status.EXPIRED)
        queue_waitlist_look(entry.business_id)


# --- finding and offering times --------------------------------------------------------------


def can_make(windows: Sequence[Window], slot: Slot, zone) -> bool:
    start, end = slot.start.astimezone(zone), slot.end.astimezone(zone)
    return any(window.allows(start, end) for window in windows)


def times_for(entry: WaitlistEntry, *, first_day: date, days: int, now: datetime) -> list[Slot]:
    """The free times (holds counted, within the booking window) over those local dates that
    the entry's customer can make."""
    business, windows = entry.business, windows_of(entry)
    slots = available_slots(
        business,
        entry.service,
        first_day=first_day,
        days=days,
        staff=entry.staff,
        window=customer_window(business, now=now),
    )
    return [slot for slot in slots if can_make(windows, slot, business.zone)]


def offerable_slot(entry: WaitlistEntry, *, now: datetime, skip: Iterable[datetime] = ()) -> Slot | None:
    """The earliest time the entry's customer can make (`times_for`), except those in `skip`
    (already offered to them)."""
    business = entry.business
    windows = windows_of(entry)
    today = timezone.localdate(now, business.zone)
    first_day = max(today, min(window.from_date for window in windows))
    last_day = min(entry.last_date, last_bookable_day(business, today=today))
    if last_day < first_day:
        return None
    days = min((last_day - first_day).days + 1, MAX_AVAILABILITY_DAYS)
    skipped = set(skip)
    return next(
        (slot for slot in times_for(entry, first_day=first_day, days=days, now=now) if slot.start not in skipped), None
    )


@dataclass(frozen=True)
class Waiting:
    """A waitlist entry as the front desk shows it for a day."""

    entry: WaitlistEntry
    windows: list[Window]
    open_offer: WaitlistOffer | None
    free_times: list[Slot]  # on that day, that the customer can make


def waiting_on(business: Business, day: date, *, now: datetime | None = None) -> list[Waiting]:
    """Who is waiting for a time on `day` (a local date), in joining order, with an open
    offer if they have one and the free times that day they could take (to offer by hand)."""
    now = now or timezone.now()
    entries = waiting(business, now=now).filter(last_date__gte=day).select_related("customer", "service", "staff")
    found = []
    for entry in entries.order_by("created_at", "pk"):
        windows = windows_of(entry)
        if not is_current(entry, now=now) or not any(w.from_date <= day <= w.to_date for w in windows):
            continue
        times = times_for(entry, first_day=day, days=1, now=now)
        found.append(Waiting(entry, windows, entry.offers.filter(status=WaitlistOffer.Status.OPEN).first(), times))
    return found


def lock_waitlist(business: Business) -> None:
    """One look at the salon's waitlist at a time, until the transaction ends (taken before
    any staff lock, which bookings take without it: no cycle)."""
    lock_booking(staff_ids=(), customer_id=f"waitlist:{business.pk}")


def waitlist_offer_due(business: Business, *, now: datetime | None = None) -> list[WaitlistOffer]:
    """Offer free times to the salon's waiting entries, in joining order: each without an open
    offer gets the earliest time it can make that it has not been offered before. Each offer
    is its own short transaction under the salon's waitlist lock (with its hold's staff locks
    held only that long); an entry that cannot be offered now is left for the next look."""
    now = now or timezone.now()
    made = []
    open_offer = WaitlistOffer.objects.filter(entry=OuterRef("pk"), status=WaitlistOffer.Status.OPEN)
    candidates = waiting(business, now=now).filter(~Exists(open_offer)).order_by("created_at", "pk")
    for pk in list(candidates.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                lock_waitlist(business)
                entry = candidates.select_related("business", "service", "staff", "customer").filter(pk=pk).first()
                if entry is None or not is_current(entry, now=now):  # offered or gone meanwhile
                    continue
                if not customer_channels(entry.customer, business):  # no way to tell them: hold nothing
                    continue
                slot = offerable_slot(entry, now=now, skip=entry.offers.values_list("start", flat=True))
                if slot is not None:
                    made.append(offer_create(entry, slot, now=now))
        except (SlotUnavailable, Busy, IntegrityError):  # taken meanwhile, or locked: the next look
            logger.info("waitlist entry %s left for the next look", pk)
    return made


def offer_create(entry: WaitlistEntry, slot: Slot, *, now: datetime, by: str = "waitlist") -> WaitlistOffer:
    """Offer `slot` to the entry's customer for the salon's offer window, holding it for them
    (unless the salon lets the first to click have it), and record the messages. Call under
    the salon's waitlist lock."""
    business = entry.business
    expires_at = now + timedelta(minutes=business.waitlist_offer_minutes)
    hold_token = ""
    if business.waitlist_first_click:
        staff_id = entry.staff_id or least_booked_first(business, list(slot.staff_ids), slot.start)[0]
    else:
        hold = hold_create(
            business=business,
            items=[(entry.service, entry.staff)],
            start=slot.start,
            now=now,
            minutes=business.waitlist_offer_minutes,
        )
        staff_id, hold_token = hold.staff_id, hold.token
    offer = WaitlistOffer.objects.create(
        entry=entry,
        # The hold's own token, kept server-side only: the link's token is what the customer has.
        hold_token=hold_token,
        staff_id=staff_id,
        start=slot.start,
        end=slot.end,
        expires_at=expires_at,
        offered_by=by,
    )
    record_offer_messages(offer)
    logger.info("waitlist offer %s made", offer.pk, extra={"business_id": str(business.pk)})
    return offer


def offer_by_hand(*, entry: WaitlistEntry, start: datetime, by: Actor, now: datetime | None = None) -> WaitlistOffer:
    """Staff offer a waiting customer a time themselves (the front desk's waitlist)."""
    now = now or timezone.now()
    start = start.astimezone(UTC)  # a local time in a repeated hour compares unequal to every other zone's
    if not by.is_member:
        raise InvalidState(_("Only the salon's staff may offer times by hand."))
    with transaction.atomic():
        lock_waitlist(entry.business)
        entry = WaitlistEntry.objects.select_related("business", "service", "staff", "customer").get(pk=entry.pk)
        if not is_current(entry, now=now):
            raise InvalidState(_("This customer is no longer waiting."))
        if WaitlistOffer.objects.filter(entry=entry, status=WaitlistOffer.Status.OPEN).exists():
            raise InvalidState(_("This customer already has an open offer."))
        day = timezone.localdate(start, entry.business.zone)
        slot = next((slot for slot in times_for(entry, first_day=day, days=1, now=now) if slot.start == start), None)
        if slot is None:
            raise SlotUnavailable(_("That time is not free, or not one this client can make."))
        return offer_create(entry, slot, now=now, by=by.label)


def close_offer(offer: WaitlistOffer, status: str) -> None:
    """End an open offer; its hold goes with it."""
    WaitlistOffer.objects.filter(pk=offer.pk, status=WaitlistOffer.Status.OPEN).update(status=status)
    if offer.hold_token:
        SlotHold.objects.filter(token_hash=hold_token_hash(offer.hold_token)).delete()


OFFER_LINK = signing.Signer(salt="chairtime.waitlist-offer")


def offer_token(offer: WaitlistOffer) -> str:
    """The one-click link's token: the offer's id, signed (nothing to store, and the sweeper
    can send a message again)."""
    return OFFER_LINK.sign(str(offer.pk))


def offer_for_token(token: str) -> WaitlistOffer | None:
    try:
        pk = OFFER_LINK.unsign(token)
    except signing.BadSignature:
        return None
    return (
        WaitlistOffer.objects.select_related("entry__business", "entry__service", "entry__customer", "staff")
        .filter(pk=pk)
        .first()
    )


def offer_is_open(offer: WaitlistOffer, *, now: datetime) -> bool:
    return offer.status == WaitlistOffer.Status.OPEN and offer.expires_at > now


def offer_book(*, offer: WaitlistOffer, now: datetime | None = None) -> Appointment:
    """Book the offered time for the entry's customer (the link is their proof). SlotUnavailable
    when it is gone (another's click won, the offer expired and someone took it)."""
    now = now or timezone.now()
    try:
        return booked_from_offer(offer, now=now)
    except SlotUnavailable:
        close_offer(offer, WaitlistOffer.Status.TAKEN)
        raise


def booked_from_offer(offer: WaitlistOffer, *, now: datetime) -> Appointment:
    with transaction.atomic():
        offer = WaitlistOffer.objects.select_for_update().select_related("entry").get(pk=offer.pk)
        entry = offer.entry
        if not offer_is_open(offer, now=now):
            raise InvalidState(_("This offer has ended."))
        customer = entry.customer
        appointment = appointment_book(
            business=entry.business,
            service=entry.service,
            staff=offer.staff if offer.hold_token else entry.staff,
            start=offer.start,
            by=Actor(user=customer.user, label=customer.email or "waitlist offer"),
            customer=customer,
            source=Appointment.Source.PORTAL,
            now=now,
            hold_token=offer.hold_token,
        )
        WaitlistOffer.objects.filter(pk=offer.pk).update(status=WaitlistOffer.Status.BOOKED)
        WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistEntry.Status.BOOKED, appointment=appointment)
        # Others offered this time (first-click mode) are told it is taken when they click; their
        # entries may be offered another time at once.
        WaitlistOffer.objects.filter(
            entry__business=entry.business_id, status=WaitlistOffer.Status.OPEN, start=offer.start, hold_token=""
        ).exclude(pk=offer.pk).update(status=WaitlistOffer.Status.TAKEN)
        queue_waitlist_look(entry.business_id)
    return appointment


def waitlist_sweep(*, now: datetime | None = None) -> int:
    """Beat, every minute: offers past their window expire (their holds already count for
    nothing), entries past their last date expire, and every salon with someone waiting is
    looked at again: the next in line gets what the first let go. Returns offers made."""
    now = now or timezone.now()
    WaitlistOffer.objects.filter(status=WaitlistOffer.Status.OPEN, expires_at__lte=now).update(
        status=WaitlistOffer.Status.EXPIRED
    )
    soon_over = WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.WAITING, last_date__lt=(now + timedelta(days=1)).date()
    ).select_related("business")
    for entry in soon_over:
        if not is_current(entry, now=now):
            WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistEntry.Status.EXPIRED)
    made = 0
    for business in Business.objects.filter(pk__in=waiting(now=now).values("business")):
        try:
            made += len(waitlist_offer_due(business, now=now))
        except Exception:  # one salon's trouble must not stop the others' waitlists
            logger.exception("waitlist look failed", extra={"business_id": str(business.pk)})
    return made


# --- messages ----------------------------------------------------------------------------------


def record_offer_messages(offer: WaitlistOffer) -> None:
    """The outbox rows for the offer (e-mail, and SMS where the salon sends them), and their
    sending once this transaction commits."""
    entry = offer.entry
    channels = customer_channels(entry.customer, entry.business)
    Notification.objects.bulk_create(
        [
            Notification(offer=offer, kind=Kind.WAITLIST_OFFER, channel=channel, sequence=0, recipient=to)
            for channel, to in channels.items()
        ],
        ignore_conflicts=True,
    )
    queue_waitlist_offer(str(offer.pk))


def offer_link(offer: WaitlistOffer) -> str:
    return f"{settings.SITE_URL}{reverse('customer-waitlist-offer', args=[offer_token(offer)])}"


def offer_context(offer: WaitlistOffer) -> dict:
    entry = offer.entry
    return {
        "business": entry.business,
        "customer": entry.customer,
        "offer": offer,
        "service": entry.service,
        "local_start": offer.start.astimezone(entry.business.zone),
        "minutes": entry.business.waitlist_offer_minutes,
        "first_click": not offer.hold_token,
        "link": offer_link(offer),
    }


def send_offer(offer: WaitlistOffer, channel: str, to: str) -> None:
    context = offer_context(offer)
    if channel == Channel.SMS:
        send_message(lambda: send_sms(to, " ".join(render("sms/waitlist_offer.txt", context).split())))
        return
    subject = " ".join(render("email/waitlist_offer_subject.txt", context).split())
    message = EmailMultiAlternatives(subject, render("email/waitlist_offer_message.txt", context), to=[to])
    message.attach_alternative(render("email/waitlist_offer_message.html", context), "text/html")
    send_message(message.send)


def notify_offer(offer_id: str) -> list[Outcome]:
    """Send the offer's messages, each at most once (the task retries what failed)."""
    offer = (
        WaitlistOffer.objects.select_related("entry__business", "entry__customer", "entry__service")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        return []
    outcomes, failures = [], []
    for channel, to in customer_channels(offer.entry.customer, offer.entry.business).items():
        try:
            status = claim_and_send(
                {"offer": offer, "kind": Kind.WAITLIST_OFFER, "channel": channel, "sequence": 0},
                to,
                current=lambda: offer_is_open(offer, now=timezone.now()),
                send_one=functools.partial(send_offer, offer, channel, to),
            )
            outcomes.append(Outcome(channel, status))
        except DeliveryFailed as error:
            failures.append(error)
    if failures:
        raise failures[0]
    return outcomes


def offer_give_up(offer_id: str) -> None:
    Notification.objects.filter(offer__pk=offer_id, status=Notification.Status.PENDING).update(
        status=Notification.Status.FAILED
    )


def stranded_offers(now: datetime) -> list[str]:
    """Offers whose messages were recorded a while ago but never tried (the broker was down)."""
    found = Notification.objects.filter(
        offer__isnull=False,
        status=Notification.Status.PENDING,
        attempts=0,
        created_at__lt=now - timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER_SECONDS),
    )
    return [str(pk) for pk in found.values_list("offer_id", flat=True).distinct().order_by()]
