"""Booking use cases: book, reschedule, cancel, complete, mark no-show, auto-complete.

Every surface (admin, API, portal, widget, seed_demo) calls these; each runs in one
transaction, re-checks availability with the engine under per-staff advisory locks,
records history, and leaves the exclusion constraint as the backstop.
"""

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast

from django.db import IntegrityError, connection, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from booking.availability import local_instant
from booking.errors import (
    BookingInvalid,
    BookingLimitReached,
    InvalidState,
    NotAllowed,
    SlotHeld,
    SlotUnavailable,
    TooLateToCancel,
)
from booking.locks import lock_booking
from booking.models import (
    OCCUPYING_STATUSES,
    Appointment,
    AppointmentHistory,
    Notification,
    ResourceBooking,
    SlotHold,
    Visit,
    WaitlistEntry,
    WaitlistOffer,
)
from booking.notifications import record_pending
from booking.queue import queue_appointment_notification, queue_waitlist_look, queue_waitlist_offer
from booking.selectors import (
    MEMBER_WINDOW,
    NO_HOLDS,
    BookingWindow,
    Holds,
    available_slots,
    customer_window,
    free_resources,
    hold_token_hash,
    upcoming,
)
from businesses.models import Business, Resource, Service, StaffMember, TimeOff
from businesses.selectors import is_business_member, performs, staff_performing
from config.request_log import note_business
from customers.models import ClientNote, CustomerAccount, CustomerBusinessRelationship, User
from customers.services import customer_for_user, normalize_phone, relationship_ensure
from integrations.events import appointment_changed, customer_forget

logger = logging.getLogger(__name__)

ONE_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Actor:
    """Who is acting. `is_member`: a member of the business concerned (staff rules apply)."""

    user: User | None
    label: str
    is_member: bool = False

    @classmethod
    def system(cls, label: str = "system") -> "Actor":
        return cls(user=None, label=label, is_member=True)


def actor_for(user: User, business: Business) -> Actor:
    """The actor for a signed-in user acting on `business`: member (staff rules) or customer."""
    member = user.is_superuser or is_business_member(user, business)
    return Actor(user=user, label=user.email, is_member=member)


@dataclass(frozen=True)
class CustomerDetails:
    email: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""


def phone_only_customer(business: Business, phone: str, first_name: str = "") -> CustomerAccount:
    """The salon's client known only by this phone number: an account without an email, never
    signed in, that this salon already has on record with that number (and, when a first name
    is given, that name or none: a family may share a phone), else a new one. Another salon's
    record, or a customer's own account with that number, is never reused: each becomes the
    customer's when they verify the number (claim_phone_only_records)."""
    records = (
        CustomerBusinessRelationship.objects.filter(
            business=business, customer__email__isnull=True, customer__user__isnull=True, customer__phone=phone
        )
        .select_related("customer")
        .order_by("created_at")
    )
    for relationship in records:
        names = {relationship.first_name.casefold(), first_name.casefold()}
        if "" in names or len(names) == 1:
            return relationship.customer
    return CustomerAccount.objects.create(email=None, phone=phone)


def customer_find_or_create(*, details: CustomerDetails, business: Business) -> CustomerAccount:
    """Staff bookings match customers by email, case-insensitively, or, without an email,
    by phone (a walk-in or a client who books by telephone); new ones are created.

    What staff enter is the salon's own record (its relationship with the customer). It
    never changes an existing account, which belongs to the customer and serves every salon;
    an account staff create holds what they entered until the customer claims it.
    """
    email = details.email.strip().lower()
    phone = normalize_phone(details.phone, region=business.country) if details.phone.strip() else ""
    if not email and not phone:
        message = _("Give the client's email or phone number.")
        raise BookingInvalid(message, fields={"email": [message], "phone": [message]})
    entered = {
        "phone": phone,
        "first_name": details.first_name.strip()[:100],
        "last_name": details.last_name.strip()[:100],
    }
    if email:
        customer, _created = CustomerAccount.objects.get_or_create(email=email, defaults=entered)
    else:  # the names stay on this salon's record (the relationship), as for any account
        customer = phone_only_customer(business, phone, entered["first_name"])
    relationship_ensure(customer, business, **{name: value for name, value in entered.items() if value})
    return customer


def ensure_bookable(
    business: Business, service: Service, staff: StaffMember | None, *, performing: list | None = None
) -> None:
    """`performing`: `staff_performing(business, service, staff)`, where the caller has it."""
    errors = {}
    if service.business_id != business.pk or not service.is_active:
        errors["service_id"] = [_("Unknown service for this business.")]
    if staff is not None and (staff.business_id != business.pk or not staff.is_active):
        errors["staff_id"] = [_("Unknown staff member for this business.")]
    elif staff is not None and not errors and not (performs(staff, service) if performing is None else performing):
        errors["staff_id"] = [_("This staff member does not perform this service.")]
    if errors:
        raise BookingInvalid(fields=errors)


def ensure_under_booking_limit(business: Business, customer: CustomerAccount, *, now: datetime) -> None:
    """At most `max_upcoming_per_customer` upcoming bookings there. Call under the customer's
    lock (lock_booking), or parallel bookings on different staff could all pass."""
    limit = business.max_upcoming_per_customer
    if not limit:
        return
    # A visit of several services counts once.
    count = Appointment.objects.filter(upcoming(now), business=business, customer=customer).aggregate(
        bookings=Count(Coalesce("visit_id", "id"), distinct=True)
    )["bookings"]
    if count >= limit:
        message = ngettext(
            "You already have %(count)d upcoming booking here, the most this salon allows.",
            "You already have %(count)d upcoming bookings here, the most this salon allows.",
            count,
        )
        raise BookingLimitReached(message % {"count": count})


def window_for(actor: Actor, business: Business, now: datetime) -> BookingWindow:
    return MEMBER_WINDOW if actor.is_member else customer_window(business, now=now)


def free_staff_at(
    business: Business,
    service: Service,
    start: datetime,
    *,
    staff: StaffMember | None,
    window: BookingWindow,
    exclude_appointment: Appointment | None = None,
    slot_interval: timedelta | None = None,
    performing: list[StaffMember] | None = None,
    holds: Holds | None = None,
) -> list:
    """Ids of the staff (one, or any who perform the service) free at exactly `start`,
    by the same engine the pages and API show slots with (`performing`: who does the
    service, where the caller has loaded them; `holds`: which slot holds count, default
    everyone's unexpired now)."""
    slots = available_slots(
        business,
        service,
        first_day=timezone.localdate(start, business.zone),
        staff=staff,
        window=window,
        exclude_appointment=exclude_appointment,
        slot_interval=slot_interval,
        performing=performing,
        holds=holds,
    )
    return next((list(slot.staff_ids) for slot in slots if slot.start == start), [])


def least_booked_first(business: Business, staff_ids: list, start: datetime) -> list:
    """Order free staff by booked time on that local day; ties keep the salon's order."""
    if len(staff_ids) < 2:
        return staff_ids
    day = timezone.localdate(start, business.zone)
    day_start = local_instant(day, time(0), business.zone)
    day_end = local_instant(day + timedelta(days=1), time(0), business.zone)
    booked = dict(
        Appointment.objects.filter(
            staff__in=staff_ids, status__in=OCCUPYING_STATUSES, start__gte=day_start, start__lt=day_end
        )
        .values("staff_id")
        .annotate(total=Sum("duration"))
        .values_list("staff_id", "total")
    )
    return sorted(staff_ids, key=lambda staff_id: booked.get(staff_id, timedelta(0)))


def snapshot(appointment: Appointment) -> Appointment:
    """An unsaved copy of the fields history records as "old"."""
    return Appointment(
        start=appointment.start, end=appointment.end, staff_id=appointment.staff_id, status=appointment.status
    )


def record_history(
    appointment: Appointment, *, action: str, by: Actor, note: str = "", old: Appointment | None = None
) -> AppointmentHistory:
    note_business(appointment.business_id)
    logger.info(
        "appointment %s %s",
        appointment.pk,
        action,
        extra={
            "appointment_id": str(appointment.pk),
            "action": action,
            "business_id": str(appointment.business_id),
            "user_id": by.user.pk if by.user is not None else None,
        },
    )
    appointment_changed(appointment, action)  # the webhooks' outbox, in this transaction
    return AppointmentHistory.objects.create(
        appointment=appointment,
        action=action,
        actor=by.user,
        actor_label=by.label,
        old_start=old.start if old else None,
        old_end=old.end if old else None,
        old_staff_id=old.staff_id if old else None,
        old_status=old.status if old else "",
        new_start=appointment.start,
        new_end=appointment.end,
        new_staff_id=appointment.staff_id,
        new_status=appointment.status,
        sequence=appointment.sequence,
        note=note,
    )


def appointment_book(
    *,
    business: Business,
    service: Service,
    staff: StaffMember | None,
    start: datetime,
    by: Actor,
    customer: CustomerAccount | None = None,
    customer_details: CustomerDetails | None = None,
    source: str = Appointment.Source.API,
    notes: str = "",
    now: datetime | None = None,
    notify: bool = True,
    any_minute: bool = False,
    hold_token: str = "",
    override_holds: bool = False,
) -> Appointment:
    """Book `service` at `start` with `staff` (None: any free staff member).

    Members of the business may book any free slot, also in the past; customers only
    within minimum notice and horizon, and up to the salon's limit of upcoming bookings.
    `notify=False` books silently (seeded demo data): no confirmation is queued.
    `any_minute`: members only, `start` need not be on the salon's slot grid (a walk-in).
    `hold_token`: the booker's slot hold (booking.holds), spent by this booking: its time
    counts as free, and its stylist is chosen. `override_holds`: members only, book over
    customers' holds (which then end).
    """
    now = now or timezone.now()
    # In UTC: a local time in a repeated hour (fold=1) compares unequal to every other zone's.
    start = start.astimezone(UTC)
    candidates = staff_performing(business, service, staff)
    ensure_bookable(business, service, staff, performing=candidates)
    if customer is None and customer_details is None:
        raise BookingInvalid(_("Say who the appointment is for."), fields={"customer": [_("This field is required.")]})
    window, grid = window_for(by, business, now), ONE_MINUTE if any_minute and by.is_member else None
    holds = holds_for(by, hold_token=hold_token, override_holds=override_holds, now=now)

    def free_now(counting: Holds = holds) -> list:
        return free_staff_at(
            business,
            service,
            start,
            staff=staff,
            window=window,
            slot_interval=grid,
            performing=candidates,
            holds=counting,
        )

    if not free_now():  # plainly taken: the losers of a race answer at once, not queued on the lock
        raise refusal(by, holds, lambda: free_now(NO_HOLDS))
    with transaction.atomic():
        by_details = customer is None  # then the salon's record of the client is written with it
        if customer is None:  # a new client's record goes if the booking does not happen
            customer = customer_find_or_create(details=cast(CustomerDetails, customer_details), business=business)
        lock_booking(
            staff_ids=[member.pk for member in candidates],
            resource_ids=resources_needed_by(business, service),
            customer_id=None if by.is_member else customer.pk,
        )
        if not by.is_member:
            ensure_under_booking_limit(business, customer, now=now)
        free = free_now()  # again under the lock: this answer counts
        if not free:
            raise SlotUnavailable()
        kept = [pk for row in held_rows(holds) if row.service_id == service.pk for pk in row.resources]
        resources = resources_to_hold(business, service, start, keep=kept, holds=holds)
        by_id = {member.pk: member for member in candidates}
        ordered = held_first(least_booked_first(business, free, start), holds, service=service, start=start)
        for n, staff_id in enumerate(ordered, start=1):
            appointment = new_appointment(
                business=business,
                customer=customer,
                staff_id=staff_id,
                service=service,
                start=start,
                by=by,
                source=source,
                notes=notes,
            )
            appointment.staff = by_id[staff_id]
            if not saved_or_refused(appointment, another_to_try=n < len(ordered)):
                continue
            if resources:
                hold_resources(appointment, resources)
            record_history(appointment, action=AppointmentHistory.Action.CREATED, by=by)
            spend_holds(holds, [appointment])
            if not by_details:
                relationship_ensure(customer, business)
            if notify:
                notify_on_commit(appointment, Notification.Kind.CONFIRMATION)
            return appointment
    raise SlotUnavailable()


def holds_for(by: Actor, *, hold_token: str, override_holds: bool, now: datetime) -> Holds:
    """Which slot holds a booking respects: everyone's unexpired but the booker's own
    (`hold_token`); none where a member overrides them (only staff, only explicitly)."""
    if override_holds:
        if not by.is_member:
            raise NotAllowed(_("Only the salon's staff may book over a customer's hold."))
        return NO_HOLDS
    return Holds(at=now, own=hold_token_hash(hold_token) if hold_token else "")


def refusal(by: Actor, holds: Holds, free_over_holds: Callable[[], list]) -> SlotUnavailable:
    """Why a time is not free: for staff, SlotHeld where only a customer's hold is in the way
    (`free_over_holds`: who would be free if no hold counted), so they know they may book over it."""
    if by.is_member and not holds.ignored and free_over_holds():
        return SlotHeld()
    return SlotUnavailable()


def held_rows(holds: Holds) -> list[SlotHold]:
    """The booker's own unexpired hold, item by item (none without a token)."""
    if not holds.own:
        return []
    return list(SlotHold.objects.filter(token_hash=holds.own, expires_at__gt=holds.at).order_by("start"))


def held_first(ordered: list, holds: Holds, *, service: Service, start: datetime) -> list:
    """`ordered` staff ids with the one the booker's hold keeps for `service` at `start` first."""
    held = {row.staff_id for row in held_rows(holds) if row.service_id == service.pk and row.start == start}
    return sorted(ordered, key=lambda staff_id: staff_id not in held)


def spend_holds(holds: Holds, booked: Sequence[Appointment]) -> None:
    """After a booking: the booker's own hold is spent, and customers' holds a member booked
    over end (their holders will find the time taken)."""
    if holds.own:
        SlotHold.objects.filter(token_hash=holds.own).delete()
    if holds.ignored:  # every row of each hold in the way goes (a visit's hold has several)
        with connection.cursor() as cursor:
            for appointment in booked:
                cursor.execute(
                    "DELETE FROM booking_slothold WHERE token_hash IN (SELECT token_hash FROM booking_slothold"
                    " WHERE staff_id = %s AND staff_busy && %s)",
                    [appointment.staff_id, appointment.staff_busy],
                )


def saved_or_refused(appointment: Appointment, *, another_to_try: bool) -> bool:
    """Insert the appointment; False if the exclusion constraint refuses it (someone wrote
    without the lock: the constraint is the last word) and there is another stylist to try
    (a savepoint keeps the transaction for them); with none, SlotUnavailable."""
    if not another_to_try:  # no savepoint needed: a refusal ends the booking
        try:
            appointment.save()
        except IntegrityError:
            logger.warning("exclusion constraint refused a booking that passed the re-check")
            raise SlotUnavailable() from None
        return True
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError:
        logger.warning("exclusion constraint refused a booking that passed the re-check")
        return False
    return True


def new_appointment(
    *,
    business: Business,
    customer: CustomerAccount,
    staff_id: Any,
    service: Service,
    start: datetime,
    by: Actor,
    source: str,
    notes: str,
    visit: Visit | None = None,
) -> Appointment:
    """An unsaved appointment of `service` at `start`, with its price and timings snapshotted."""
    appointment = Appointment(
        business=business,
        customer=customer,
        staff_id=staff_id,
        service=service,
        visit=visit,
        price=service.price,
        source=source,
        notes=notes,
        created_by=by.user,
    )
    appointment.set_times(start, service.duration, *service_timing(service))
    return appointment


def service_timing(service: Service) -> tuple[timedelta, timedelta, tuple[timedelta, timedelta]]:
    """What a booking snapshots of its service besides the duration: buffers and processing."""
    return service.buffer_before, service.buffer_after, (service.processing_offset, service.processing_duration)


def resources_needed_by(business: Business, service: Service) -> list:
    """Every active resource of a kind the service needs (locked while booking: any may be chosen)."""
    if not service.resource_kinds:
        return []
    return list(
        Resource.objects.filter(business=business, kind__in=service.resource_kinds, is_active=True).values_list(
            "pk", flat=True
        )
    )


def resources_to_hold(
    business: Business,
    service: Service,
    start: datetime,
    *,
    keep: Iterable = (),
    exclude_appointment: Appointment | None = None,
    holds: Holds | None = None,
) -> list:
    """One free resource of each kind the service needs from `start`: one of `keep` (those
    the appointment holds now, or its booker's slot hold keeps) where still free, else the
    least used. Call under the lock. `holds`: as for free_resources."""
    if not service.resource_kinds:
        return []
    kept = set(keep)
    chosen = []
    free_now = free_resources(business, service, start, exclude_appointment=exclude_appointment, holds=holds)
    for free in free_now.values():
        if not free:
            raise SlotUnavailable()
        chosen.append(next((pk for pk in free if pk in kept), free[0]))
    return chosen


def hold_resources(appointment: Appointment, resource_ids: list) -> None:
    """The appointment holds exactly these resources (the exclusion constraint has the last word)."""
    held = set(appointment.resource_bookings.values_list("resource_id", flat=True)) if appointment.pk else set()
    wanted = set(resource_ids)
    try:
        with transaction.atomic():
            appointment.resource_bookings.filter(resource__in=held - wanted).delete()
            ResourceBooking.objects.bulk_create(
                ResourceBooking(
                    appointment=appointment,
                    resource_id=pk,
                    held_range=DateTimeTZRange(appointment.start, appointment.end, "[)"),
                )
                for pk in wanted - held
            )
    except IntegrityError:
        raise SlotUnavailable() from None


def appointment_book_for_user(
    *,
    user: User,
    business: Business,
    customer_details: CustomerDetails | None = None,
    as_customer: bool = False,
    book: Callable[..., Any] | None = None,
    **booking: Any,
) -> Any:
    """Who may book for whom, for every surface: a member of the business books for the
    customer in `customer_details` (required); anyone else, or anyone on a customer-only
    surface (`as_customer`), books for themselves and may not name someone else. `book`: the
    booking service (appointment_book, or booking.visits.visit_book for several services)."""
    book = book or appointment_book
    by = Actor(user=user, label=user.email) if as_customer else actor_for(user, business)
    if by.is_member:
        if customer_details is None:
            message = _("Say who the booking is for (email or phone, and optionally a name).")
            raise BookingInvalid(message, fields={"customer": [message]})
        return book(business=business, by=by, customer_details=customer_details, **booking)
    if customer_details is not None:
        raise NotAllowed(_("Only the salon's staff may book for someone else."))
    return book(business=business, by=by, customer=customer_for_user(user), **booking)


def appointment_walk_in(
    *,
    business: Business,
    service: Service,
    staff: StaffMember | None,
    by: Actor,
    customer_details: CustomerDetails,
    notes: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Book a client who is at the desk: from this minute, or the next free one today, with
    `staff` (None: whoever is free first). Members only; a name and phone are enough."""
    now = now or timezone.now()
    if not by.is_member:
        raise NotAllowed(_("Only the salon's staff may book walk-ins."))
    ensure_bookable(business, service, staff)
    this_minute = now.replace(second=0, microsecond=0)
    slots = available_slots(
        business,
        service,
        first_day=timezone.localdate(now, business.zone),
        staff=staff,
        window=BookingWindow(not_before=this_minute, not_after=None),
        slot_interval=ONE_MINUTE,
    )
    if not slots:
        if staff is None:
            message = _("No free time is left today for %(service)s.") % {"service": service.name}
        else:
            message = _("No free time is left today for %(service)s with %(staff)s.") % {
                "service": service.name,
                "staff": staff.name,
            }
        raise SlotUnavailable(message)
    return appointment_book(
        business=business,
        service=service,
        staff=staff,
        start=slots[0].start,
        by=by,
        customer_details=customer_details,
        source=Appointment.Source.WALK_IN,
        notes=notes,
        now=now,
        any_minute=True,
    )


def time_off_add(
    *, business: Business, staff: StaffMember | None, start: datetime, end: datetime, reason: str = ""
) -> tuple[TimeOff, list[Appointment]]:
    """Add time off for `staff` (None: close the whole salon). Bookings already in that time
    stay (the salon decides what to do with them): they are returned, to be shown."""
    if end <= start:
        raise BookingInvalid(_("The end must be after the start."), fields={"end": [_("Must be after the start.")]})
    if staff is not None and staff.business_id != business.pk:
        raise BookingInvalid(fields={"staff_id": [_("Unknown staff member for this business.")]})
    away = TimeOff.objects.create(business=business, staff=staff, start=start, end=end, reason=reason.strip())
    clashes = Appointment.objects.filter(
        business=business, status__in=OCCUPYING_STATUSES, start__lt=end, end__gt=start
    )
    if staff is not None:
        clashes = clashes.filter(staff=staff)
    return away, list(clashes.select_related("staff", "service").order_by("start"))


def time_off_remove(time_off: TimeOff) -> None:
    """Remove time off or a closure: its time may be offered to those waiting."""
    with transaction.atomic():
        time_off.delete()
        queue_waitlist_look(time_off.business_id)


def notify_on_commit(appointment: Appointment, kind: str) -> None:
    """Record the messages about this version of the appointment in the outbox (this
    transaction), and queue their sending once it commits."""
    record_pending(appointment, kind)
    queue_appointment_notification(str(appointment.pk), kind, appointment.sequence)


def notification_resend(*, notification: Notification) -> None:
    """Send a message again (a person's decision, e.g. after an uncertain failure)."""
    Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.PENDING, last_error="")
    if notification.offer_id is not None:  # a waitlist offer's
        queue_waitlist_offer(str(notification.offer_id))
        return
    queue_appointment_notification(str(notification.appointment_id), notification.kind, notification.sequence)


def locked_for_update(appointment: Appointment) -> Appointment:
    # of=("self",): locking the joined business and service rows too would block every
    # booking's foreign-key check on them while we wait for a staff lock: a deadlock.
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("business", "service")
        .get(pk=appointment.pk)
    )


def appointment_is_changeable_by_customer(
    appointment: Appointment, *, now: datetime, whole_visit: bool = False
) -> bool:
    """May the customer still cancel or reschedule online (outside the cancellation window)?
    An item of a visit changes only with its visit (`whole_visit`: asked for the visit's first)."""
    if appointment.visit_id is not None and not whole_visit:
        return False
    window = timedelta(hours=appointment.business.cancellation_window_hours)
    return appointment.status == Appointment.Status.CONFIRMED and now <= appointment.start - window


def too_late_message(business: Business) -> str:
    """What a customer is told once their appointment is inside the salon's cancellation window
    (the refusal, and the appointment pages where the buttons are gone)."""
    hours = business.cancellation_window_hours
    message = ngettext(
        "Changes online are possible up to %(hours)d hour before the appointment; please call the salon.",
        "Changes online are possible up to %(hours)d hours before the appointment; please call the salon.",
        hours,
    )
    return message % {"hours": hours}


def status_sentence(appointment: Appointment, *, already: bool = False) -> str:
    """Why its status stops a change, a whole sentence per status (translators need those)."""
    sentences: dict[str, str]
    if already:
        sentences = {
            Appointment.Status.CONFIRMED: _("The appointment is already confirmed."),
            Appointment.Status.ARRIVED: _("The client has already checked in."),
            Appointment.Status.CANCELLED: _("The appointment is already cancelled."),
            Appointment.Status.COMPLETED: _("The appointment is already completed."),
            Appointment.Status.NO_SHOW: _("The appointment is already marked as a no-show."),
        }
    else:
        sentences = {
            Appointment.Status.CONFIRMED: _("The appointment is confirmed."),
            Appointment.Status.ARRIVED: _("The client has checked in."),
            Appointment.Status.CANCELLED: _("The appointment is cancelled."),
            Appointment.Status.COMPLETED: _("The appointment is completed."),
            Appointment.Status.NO_SHOW: _("The appointment is marked as a no-show."),
        }
    return sentences.get(appointment.status) or str(InvalidState.default_message)


def ensure_changeable_by(appointment: Appointment, by: Actor, *, now: datetime, whole_visit: bool = False) -> None:
    if appointment.status not in OCCUPYING_STATUSES:
        raise InvalidState(status_sentence(appointment))
    if not by.is_member and appointment.visit_id is not None and not whole_visit:
        raise NotAllowed(_("This appointment is part of a visit: cancel or move the whole visit."))
    if not by.is_member and not appointment_is_changeable_by_customer(appointment, now=now, whole_visit=whole_visit):
        raise TooLateToCancel(too_late_message(appointment.business))


def appointment_cancel(
    *, appointment: Appointment, by: Actor, reason: str = "", now: datetime | None = None
) -> Appointment:
    """Cancel; customers only outside the business's cancellation window."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = locked_for_update(appointment)
        ensure_changeable_by(appointment, by, now=now)
        old = snapshot(appointment)
        appointment.status = Appointment.Status.CANCELLED
        appointment.cancel_reason = reason
        appointment.sequence += 1
        appointment.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
        record_history(appointment, action=AppointmentHistory.Action.CANCELLED, by=by, note=reason, old=old)
        notify_on_commit(appointment, Notification.Kind.CANCELLATION)
        queue_waitlist_look(appointment.business_id)  # its time is free
    return appointment


def appointment_reschedule(
    *,
    appointment: Appointment,
    start: datetime,
    by: Actor,
    staff: StaffMember | None = None,
    now: datetime | None = None,
    any_minute: bool = False,
) -> Appointment:
    """Move to `start` (and `staff`, default: the same one). The old time is released only
    if the new one is taken, in one UPDATE. `any_minute`: as for appointment_book."""
    now = now or timezone.now()
    start = start.astimezone(UTC)  # see appointment_book
    with transaction.atomic():
        appointment = locked_for_update(appointment)
        ensure_changeable_by(appointment, by, now=now)
        business, service = appointment.business, appointment.service
        new_staff = staff or appointment.staff
        ensure_bookable(business, service, new_staff)
        # The customer's booking limit needs no lock here: moving a booking keeps the count.
        lock_booking(
            staff_ids=[appointment.staff_id, new_staff.pk], resource_ids=resources_needed_by(business, service)
        )
        window = window_for(by, business, now)
        grid = ONE_MINUTE if any_minute and by.is_member else None
        if not free_staff_at(
            business,
            service,
            start,
            staff=new_staff,
            window=window,
            exclude_appointment=appointment,
            slot_interval=grid,
        ):
            raise SlotUnavailable()
        held = appointment.resource_bookings.values_list("resource_id", flat=True)
        resources = resources_to_hold(business, service, start, keep=held, exclude_appointment=appointment)
        old = snapshot(appointment)
        appointment.staff = new_staff
        # Keep the duration, buffers and processing snapshotted at booking (the service may have changed since).
        appointment.set_times(start, appointment.duration, *appointment.buffers, appointment.processing)
        appointment.sequence += 1
        try:
            with transaction.atomic():
                # Let go of the resources it changes first, so the move cannot collide with itself.
                appointment.resource_bookings.exclude(resource__in=resources).delete()
                appointment.save(update_fields=Appointment.MOVED_FIELDS)
        except IntegrityError:
            raise SlotUnavailable() from None
        hold_resources(appointment, resources)
        record_history(appointment, action=AppointmentHistory.Action.RESCHEDULED, by=by, old=old)
        notify_on_commit(appointment, Notification.Kind.UPDATE)
        queue_waitlist_look(business.pk)  # its old time is free
    return appointment


def ensure_finishable(appointment: Appointment, status: str, by: Actor, *, now: datetime) -> None:
    if not by.is_member:
        raise NotAllowed()
    if appointment.status not in OCCUPYING_STATUSES:
        raise InvalidState(status_sentence(appointment, already=True))
    if appointment.start > now:
        raise InvalidState(_("The appointment has not started yet."))
    if status == Appointment.Status.NO_SHOW and appointment.status == Appointment.Status.ARRIVED:
        raise InvalidState(_("The client checked in: complete or cancel the appointment instead."))


def appointment_client_confirm(*, appointment: Appointment, by: Actor, now: datetime | None = None) -> Appointment:
    """The client says they are coming (an SMS reply): recorded once, shown to staff. Only for
    an appointment still booked and not begun; a visit's items are confirmed together."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = locked_for_update(appointment)
        if appointment.status != Appointment.Status.CONFIRMED or appointment.start <= now:
            raise InvalidState(status_sentence(appointment))
        items = [appointment]
        if appointment.visit_id is not None:
            siblings = Appointment.objects.filter(visit_id=appointment.visit_id, status=Appointment.Status.CONFIRMED)
            items = [locked_for_update(a) for a in siblings.exclude(pk=appointment.pk)] + items
        for item in items:
            if item.client_confirmed_at is None:
                item.client_confirmed_at = now
                item.save(update_fields=["client_confirmed_at", "updated_at"])
                record_history(item, action=AppointmentHistory.Action.CLIENT_CONFIRMED, by=by)
    return appointment


def appointment_check_in(*, appointment: Appointment, by: Actor, now: datetime | None = None) -> Appointment:
    """The client is here (front desk): `arrived` keeps the time taken. Members only, from
    the appointment's day on; the calendar invite is unchanged, so no message is sent."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = locked_for_update(appointment)
        if not by.is_member:
            raise NotAllowed()
        if appointment.status != Appointment.Status.CONFIRMED:
            raise InvalidState(status_sentence(appointment))
        zone = appointment.business.zone
        if timezone.localdate(appointment.start, zone) > timezone.localdate(now, zone):
            raise InvalidState(_("Clients check in on the day of their appointment."))
        old = snapshot(appointment)
        appointment.status = Appointment.Status.ARRIVED
        appointment.save(update_fields=["status", "updated_at"])
        record_history(appointment, action=AppointmentHistory.Action.ARRIVED, by=by, old=old)
    return appointment


def appointment_finish(
    *, appointment: Appointment, status: str, by: Actor, now: datetime | None = None
) -> Appointment:
    """Close a started appointment as completed (crediting the visit) or no-show (nothing)."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = locked_for_update(appointment)
        ensure_finishable(appointment, status, by, now=now)
        old = snapshot(appointment)
        appointment.status = status
        appointment.sequence += 1
        appointment.save(update_fields=["status", "sequence", "updated_at"])
        if status == Appointment.Status.COMPLETED:
            credit_visit(appointment)
        elif appointment.end > now:  # a no-show marked early: the rest of its time is free
            queue_waitlist_look(appointment.business_id)
        record_history(appointment, action=status, by=by, old=old)
    return appointment


def appointment_complete(*, appointment: Appointment, by: Actor, now: datetime | None = None) -> Appointment:
    """Mark as done and credit the customer's visits, spending and loyalty points."""
    return appointment_finish(appointment=appointment, status=Appointment.Status.COMPLETED, by=by, now=now)


def appointment_mark_no_show(*, appointment: Appointment, by: Actor, now: datetime | None = None) -> Appointment:
    """The customer did not come: nothing is credited. (One who checked in did come.)"""
    return appointment_finish(appointment=appointment, status=Appointment.Status.NO_SHOW, by=by, now=now)


def credit_visit(appointment: Appointment) -> None:
    relationship, _created = CustomerBusinessRelationship.objects.select_for_update().get_or_create(
        customer_id=appointment.customer_id, business_id=appointment.business_id
    )
    points = int(appointment.price // Decimal(1)) * appointment.business.loyalty_points_per_unit
    CustomerBusinessRelationship.objects.filter(pk=relationship.pk).update(
        total_visits=F("total_visits") + 1,
        total_spent=F("total_spent") + appointment.price,
        loyalty_points=F("loyalty_points") + points,
    )
    relationship.refresh_from_db()
    first = min(filter(None, [relationship.first_visit_at, appointment.start]))
    last = max(filter(None, [relationship.last_visit_at, appointment.start]))
    CustomerBusinessRelationship.objects.filter(pk=relationship.pk).update(first_visit_at=first, last_visit_at=last)


def appointments_auto_complete(*, now: datetime | None = None) -> int:
    """Complete confirmed appointments that ended `auto_complete_after_hours` ago; returns how many."""
    now = now or timezone.now()
    due = Appointment.objects.annotate(
        due_at=ExpressionWrapper(
            F("end") + F("business__auto_complete_after_hours") * Value(timedelta(hours=1)),
            output_field=DateTimeField(),
        )
    ).filter(status__in=OCCUPYING_STATUSES, business__auto_complete_after_hours__gt=0, due_at__lte=now)
    completed = 0
    for appointment in due.only("pk").iterator():
        try:
            appointment_complete(appointment=appointment, by=Actor.system("auto-complete"), now=now)
        except InvalidState:
            continue  # changed meanwhile (cancelled, or completed by staff): nothing to do
        completed += 1
    return completed


def customer_erase(*, customer: CustomerAccount, now: datetime | None = None) -> None:
    """Delete a customer's account: personal data goes, the salons keep their records.

    Upcoming bookings are cancelled; past appointments stay (with visits, prices and
    totals) but point at an anonymous account; staff notes, client notes, allergy and
    patch-test records and the contact details staff entered about the person are cleared,
    the webhook outbox forgets them too, and their waitlist entries and holds go.
    """
    now = now or timezone.now()
    system = Actor.system("account deleted")
    for appointment in Appointment.objects.filter(upcoming(now), customer=customer, start__gt=now):
        appointment_cancel(appointment=appointment, by=system, reason="The customer deleted their account.", now=now)
    with transaction.atomic():
        Appointment.objects.filter(customer=customer).update(notes="")
        customer_forget(customer.pk, list(Appointment.objects.filter(customer=customer).values_list("pk", flat=True)))
        # Their waitlist goes, with the times its open offers held, and their own holds.
        offers = WaitlistOffer.objects.filter(entry__customer=customer, status=WaitlistOffer.Status.OPEN)
        held = [hold_token_hash(token) for token in offers.exclude(hold_token="").values_list("hold_token", flat=True)]
        SlotHold.objects.filter(Q(token_hash__in=held) | Q(customer=customer)).delete()
        WaitlistEntry.objects.filter(customer=customer).delete()
        relationships = CustomerBusinessRelationship.objects.filter(customer=customer)
        ClientNote.objects.filter(relationship__in=relationships).delete()
        relationships.update(
            notes="",
            phone="",
            first_name="",
            last_name="",
            allergies="",
            patch_test_required=False,
            patch_test_on=None,
        )
        user = customer.user
        CustomerAccount.objects.filter(pk=customer.pk).update(
            email=f"deleted-{customer.pk}@deleted.invalid",
            phone="",
            phone_verified=False,
            first_name="",
            last_name="",
            user=None,
            sms_opt_out=True,
            reminders_opt_out=True,
        )
        if user is not None and not (user.is_staff or user.is_superuser):
            user.delete()  # knox tokens, sessions and allauth email records go with it
