"""Visits (DESIGN §10): find, book, move and cancel several services back to back as one.

The rules are the appointments' (booking/services.py) applied to the visit: customers book
within notice and horizon of the visit's start and change it outside the cancellation window
of its start; a visit counts once toward the booking limit; every item is written or none,
under the locks of every staff member and resource involved (one sorted pass) with the
exclusion constraints as the last word. One message per visit goes to the customer, about
its first appointment (the lead), listing every item.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from booking.availability import ServiceShape, seconds
from booking.errors import BookingInvalid, SlotUnavailable
from booking.locks import lock_booking
from booking.models import OCCUPYING_STATUSES, Appointment, AppointmentHistory, Notification, Visit
from booking.queue import queue_waitlist_look
from booking.selectors import (
    BookingWindow,
    Holds,
    holds_now,
    local_range,
    padded,
    resource_times,
    service_shape,
    staff_times,
)
from booking.services import (
    Actor,
    CustomerDetails,
    appointment_is_changeable_by_customer,
    customer_find_or_create,
    ensure_bookable,
    ensure_changeable_by,
    ensure_under_booking_limit,
    held_rows,
    hold_resources,
    holds_for,
    least_booked_first,
    locked_for_update,
    new_appointment,
    notify_on_commit,
    record_history,
    resources_needed_by,
    resources_to_hold,
    snapshot,
    spend_holds,
    window_for,
)
from booking.visit_engine import VisitItem, VisitPlanner, VisitSlot, assign
from businesses.models import Business, Service, StaffMember
from businesses.selectors import staff_performing
from customers.models import CustomerAccount
from customers.services import relationship_ensure
from integrations.events import visit_changed

MAX_VISIT_ITEMS = 5


@dataclass(frozen=True)
class Planned:
    """A visit planner and, per item, the staff who may do it (in the salon's order)."""

    planner: VisitPlanner
    members: list[list[StaffMember]]


def ensure_visit_items(business: Business, items: Sequence[tuple[Service, StaffMember | None]]) -> None:
    if not 1 <= len(items) <= MAX_VISIT_ITEMS:
        message = ngettext(
            "A visit has 1 to %(max)d service.", "A visit has 1 to %(max)d services.", MAX_VISIT_ITEMS
        ) % {"max": MAX_VISIT_ITEMS}
        raise BookingInvalid(message, fields={"items": [message]})
    for index, (service, staff) in enumerate(items):
        try:
            ensure_bookable(business, service, staff)
        except BookingInvalid as error:
            raise BookingInvalid(
                fields={f"items.{index}.{name}": messages for name, messages in (error.fields or {}).items()}
            ) from None


def plan_visit(
    business: Business,
    items: Sequence[tuple[ServiceShape, Service, StaffMember | None]],
    *,
    first_day,
    days: int,
    window: BookingWindow,
    excluded: Sequence = (),
    holds: Holds | None = None,
) -> Planned:
    """The engine's inputs for a visit, read once for all items: who performs each item (a
    query per item, at most five), the staff's time and the resources (a query each).
    `holds`: which slot holds count (default: everyone's unexpired now)."""
    members = [staff_performing(business, service, staff) for _, service, staff in items]
    everyone = list({member.pk: member for group in members for member in group}.values())
    times = {
        t.staff_id: t
        for t in staff_times(
            business, everyone, first_day=first_day, days=days, excluded=excluded, holds=holds or holds_now()
        )
    }
    kinds = sorted({kind for shape, _, _ in items for kind in shape.resource_kinds})
    resources = resource_times(
        business,
        kinds,
        between=padded(local_range(business, first_day, days)),
        excluded=excluded,
        holds=holds or holds_now(),
    )
    planner = VisitPlanner(
        [VisitItem(shape, [times[m.pk] for m in group]) for (shape, _, _), group in zip(items, members, strict=True)],
        slot_interval=business.slot_interval,
        not_before=window.not_before,
        not_after=window.not_after,
        resources=resources,
    )
    return Planned(planner=planner, members=members)


def visit_available_slots(
    business: Business,
    items: Sequence[tuple[Service, StaffMember | None]],
    *,
    first_day,
    days: int = 1,
    window: BookingWindow,
    holds: Holds | None = None,
) -> list[VisitSlot]:
    """Free visit starts for `items` (service, staff or None for anyone) in that order
    (`holds`: which slot holds count, default everyone's unexpired now)."""
    ensure_visit_items(business, items)
    shaped = [(service_shape(service), service, member) for service, member in items]
    return plan_visit(business, shaped, first_day=first_day, days=days, window=window, holds=holds).planner.slots()


def booked_shapes(standing: Sequence[Appointment]) -> list[tuple[ServiceShape, Service, None]]:
    """A visit's items as the engine sees them when they move: with the durations, buffers
    and processing they were booked with, anyone who performs them (kept where free)."""
    return [
        (
            ServiceShape(a.duration, *a.buffers, *a.processing, resource_kinds=tuple(a.service.resource_kinds)),
            a.service,
            None,
        )
        for a in standing
    ]


def standing_items(visit: Visit) -> list[Appointment]:
    """The visit's items still booked (not cancelled or over), in time order."""
    return [a for a in items_of(visit) if a.status in OCCUPYING_STATUSES]


def visit_move_slots(visit: Visit, *, first_day, days: int, window: BookingWindow) -> list[VisitSlot]:
    """Where the visit's standing items could move together (their own time counts as free)."""
    standing = standing_items(visit)
    if not standing:
        return []
    planned = plan_visit(
        visit.business,
        booked_shapes(standing),
        first_day=first_day,
        days=days,
        window=window,
        excluded=[a.pk for a in standing],
    )
    return planned.planner.slots()


def items_changeable_by_customer(items: Sequence[Appointment], *, now: datetime) -> bool:
    """May the customer still cancel or move the visit of these items (all of them, in time
    order) online? The rule for its first standing item."""
    standing = [a for a in items if a.status in OCCUPYING_STATUSES]
    return bool(standing) and appointment_is_changeable_by_customer(standing[0], now=now, whole_visit=True)


def visit_is_changeable_by_customer(visit: Visit, *, now: datetime) -> bool:
    return items_changeable_by_customer(items_of(visit), now=now)


def choose_staff(business: Business, planned: Planned, start: datetime, *, keep: Sequence = ()) -> list:
    """A staff member per item for a visit at `start`: the least booked first (the one the
    item had, when moving, before anyone), keeping one stylist for consecutive items where
    they are free. SlotUnavailable names the item that cannot be placed."""
    t = seconds(start)
    candidates = planned.planner.candidates(t)
    for index, free in enumerate(candidates):
        if not free:
            message = _("That time is not available for this service. Please pick another time.")
            raise SlotUnavailable(fields={f"items.{index}": [message]})
    ordered = [least_booked_first(business, free, start) for free in candidates]
    chosen = assign(t, planned.planner.items, ordered, keep=keep)
    if chosen is None:
        message = _("No stylist can do this service right after the one before.")
        raise SlotUnavailable(fields={f"items.{len(candidates) - 1}": [message]})
    return chosen


def visit_book(
    *,
    business: Business,
    items: Sequence[tuple[Service, StaffMember | None]],
    start: datetime,
    by: Actor,
    customer: CustomerAccount | None = None,
    customer_details: CustomerDetails | None = None,
    source: str = Appointment.Source.API,
    notes: str = "",
    now: datetime | None = None,
    hold_token: str = "",
    override_holds: bool = False,
) -> Visit:
    """Book `items` (service, staff or None for anyone) back to back from `start`: all or
    none. `hold_token`, `override_holds`: as for appointment_book."""
    now = now or timezone.now()
    start = start.astimezone(UTC)
    ensure_visit_items(business, items)
    holds = holds_for(by, hold_token=hold_token, override_holds=override_holds, now=now)
    if customer is None and customer_details is None:
        raise BookingInvalid(_("Say who the visit is for."), fields={"customer": [_("This field is required.")]})
    with transaction.atomic():
        if customer is None:
            customer = customer_find_or_create(details=cast(CustomerDetails, customer_details), business=business)
        candidates = {
            m.pk for service, staff in items for m in ([staff] if staff else staff_performing(business, service))
        }
        resources = {pk for service, _ in items for pk in resources_needed_by(business, service)}
        lock_booking(staff_ids=candidates, resource_ids=resources, customer_id=None if by.is_member else customer.pk)
        if not by.is_member:
            ensure_under_booking_limit(business, customer, now=now)
        shaped = [(service_shape(service), service, staff) for service, staff in items]
        planned = plan_visit(
            business,
            shaped,
            first_day=timezone.localdate(start, business.zone),
            days=1,
            window=window_for(by, business, now),
            holds=holds,
        )
        rows = held_rows(holds)  # the booker's hold: its stylists first, item by item
        chosen = choose_staff(business, planned, start, keep=[row.staff_id for row in rows if rows[0].start == start])
        visit = Visit.objects.create(
            business=business, customer=customer, source=source, notes=notes, created_by=by.user
        )
        at, booked = start, []
        for index, ((service, _staff), staff_id) in enumerate(zip(items, chosen, strict=True)):
            appointment = new_appointment(
                business=business,
                customer=customer,
                staff_id=staff_id,
                service=service,
                start=at,
                by=by,
                source=source,
                notes=notes,
                visit=visit,
            )
            try:
                with transaction.atomic():
                    appointment.save()
            except IntegrityError:  # written past our lock: the constraint has the last word
                raise SlotUnavailable(fields={f"items.{index}": [_("That time was just taken.")]}) from None
            try:
                kept = [pk for row in rows if row.service_id == service.pk for pk in row.resources]
                hold_resources(appointment, resources_to_hold(business, service, at, keep=kept, holds=holds))
            except SlotUnavailable:
                raise SlotUnavailable(fields={f"items.{index}": [_("No room or basin is free then.")]}) from None
            record_history(appointment, action=AppointmentHistory.Action.CREATED, by=by)
            booked.append(appointment)
            at = appointment.end
        spend_holds(holds, booked)
        relationship_ensure(customer, business)
        visit_changed(visit, "created", business=business)
        notify_on_commit(lead(visit), Notification.Kind.CONFIRMATION)
    return visit


def items_of(visit: Visit) -> list[Appointment]:
    return list(visit.appointments.select_related("business", "service", "staff").order_by("start", "pk"))


def lead(visit: Visit) -> Appointment:
    """The visit's first appointment: its messages and calendar invite speak for the visit."""
    return items_of(visit)[0]


def locked_items(visit: Visit) -> list[Appointment]:
    """The visit's standing items, locked, in time order."""
    found = [locked_for_update(a) for a in items_of(visit)]
    return [a for a in found if a.status in OCCUPYING_STATUSES]


def visit_cancel(*, visit: Visit, by: Actor, reason: str = "", now: datetime | None = None) -> Visit:
    """Cancel every item; customers only outside the cancellation window of the visit's start."""
    now = now or timezone.now()
    with transaction.atomic():
        standing = locked_items(visit)
        if not standing:
            ensure_changeable_by(lead(visit), by, now=now, whole_visit=True)  # says why: cancelled or over
        ensure_changeable_by(standing[0], by, now=now, whole_visit=True)
        for appointment in standing:
            old = snapshot(appointment)
            appointment.status = Appointment.Status.CANCELLED
            appointment.cancel_reason = reason
            appointment.sequence += 1
            appointment.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
            record_history(appointment, action=AppointmentHistory.Action.CANCELLED, by=by, note=reason, old=old)
        visit_changed(visit, "cancelled", business=standing[0].business)
        notify_on_commit(lead(visit), Notification.Kind.CANCELLATION)
        queue_waitlist_look(visit.business_id)
    return visit


def visit_reschedule(*, visit: Visit, start: datetime, by: Actor, now: datetime | None = None) -> Visit:
    """Move every item together to `start`, keeping each item's stylist where they are free
    (re-choosing otherwise), with the durations, buffers and processing they were booked with."""
    now = now or timezone.now()
    start = start.astimezone(UTC)
    with transaction.atomic():
        standing = locked_items(visit)
        if not standing:
            ensure_changeable_by(lead(visit), by, now=now, whole_visit=True)
        ensure_changeable_by(standing[0], by, now=now, whole_visit=True)
        business = visit.business
        candidates = {m.pk for a in standing for m in staff_performing(business, a.service)}
        candidates |= {a.staff_id for a in standing}
        resources = {pk for a in standing for pk in resources_needed_by(business, a.service)}
        lock_booking(staff_ids=candidates, resource_ids=resources)
        planned = plan_visit(
            business,
            booked_shapes(standing),
            first_day=timezone.localdate(start, business.zone),
            days=1,
            window=window_for(by, business, now),
            excluded=[a.pk for a in standing],
        )
        chosen = choose_staff(business, planned, start, keep=[a.staff_id for a in standing])
        held = {a.pk: list(a.resource_bookings.values_list("resource_id", flat=True)) for a in standing}
        for appointment in standing:  # let go of every resource first: the move cannot collide with itself
            appointment.resource_bookings.all().delete()
        at = start
        for index, (appointment, staff_id) in enumerate(zip(standing, chosen, strict=True)):
            old = snapshot(appointment)
            appointment.staff_id = staff_id
            appointment.set_times(at, appointment.duration, *appointment.buffers, appointment.processing)
            appointment.sequence += 1
            try:
                with transaction.atomic():
                    appointment.save(update_fields=Appointment.MOVED_FIELDS)
            except IntegrityError:
                raise SlotUnavailable(fields={f"items.{index}": [_("That time was just taken.")]}) from None
            kept = resources_to_hold(
                business, appointment.service, at, keep=held[appointment.pk], exclude_appointment=appointment
            )
            hold_resources(appointment, kept)
            record_history(appointment, action=AppointmentHistory.Action.RESCHEDULED, by=by, old=old)
            at = appointment.end
        visit_changed(visit, "rescheduled", business=business)
        notify_on_commit(lead(visit), Notification.Kind.UPDATE)
        queue_waitlist_look(business.pk)
    return visit
