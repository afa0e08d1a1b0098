"""Slot holds (DESIGN §12): a chosen time kept for its chooser while they sign in.

A hold is given to whoever asks (the portal, the widget or an API client) as a random token;
only its sha256 is stored. It takes the exact staff member the booking would have (for
"anyone", the one `appointment_book` would pick), leaves everyone else's availability until
it expires, and is spent by the booking that names its token. One holder keeps one hold per
salon: a signed-in customer's new hold, or one that names the old token, replaces the old.

Holds are read as busy time by the engine (booking.selectors.Holds): expiry is part of the
check, so an expired hold frees its time without any job having run. Holds are written under
the same per-staff locks as bookings; among holds the exclusion constraint has the last word.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from booking.errors import SlotUnavailable
from booking.locks import lock_booking
from booking.models import Appointment, SlotHold
from booking.selectors import Holds, customer_window, hold_token_hash, service_shape
from booking.services import (
    ensure_bookable,
    free_staff_at,
    least_booked_first,
    resources_needed_by,
    resources_to_hold,
    service_timing,
)
from booking.visits import choose_staff, ensure_visit_items, plan_visit
from businesses.models import Business, Service, StaffMember
from businesses.selectors import staff_performing
from customers.models import CustomerAccount


@dataclass(frozen=True)
class Hold:
    """A hold as given to its holder: the token is known only here and to them."""

    token: str
    expires_at: datetime
    rows: list[SlotHold]

    @property
    def staff_id(self):
        return self.rows[0].staff_id

    @property
    def start(self) -> datetime:
        return self.rows[0].start

    @property
    def end(self) -> datetime:
        return self.rows[-1].end


def hold_create(
    *,
    business: Business,
    items: Sequence[tuple[Service, StaffMember | None]],
    start: datetime,
    customer: CustomerAccount | None = None,
    replaces: str = "",
    now: datetime | None = None,
    minutes: int | None = None,
) -> Hold:
    """Hold `items` (one service, or a visit's; staff or None for anyone) at `start` for the
    salon's hold time (or `minutes`: a waitlist offer's window), within the customers'
    booking window. The holder's previous hold here (`replaces`: its token; a signed-in
    `customer`'s own) goes first. SlotUnavailable if the time is taken or held by someone else."""
    now = now or timezone.now()
    start = start.astimezone(UTC)
    if len(items) == 1:
        ensure_bookable(business, *items[0])
    else:
        ensure_visit_items(business, items)
    token = secrets.token_urlsafe(24)
    expires_at = now + timedelta(minutes=minutes or business.hold_minutes)
    with transaction.atomic():
        staff_ids = {m.pk for service, staff in items for m in staff_performing(business, service, staff)}
        resources = {pk for service, _ in items for pk in resources_needed_by(business, service)}
        lock_booking(staff_ids=staff_ids, resource_ids=resources)
        mine = Q(token_hash=hold_token_hash(replaces)) if replaces else Q(pk__in=[])
        if customer is not None:
            mine |= Q(customer=customer)
        # The holder's old hold, and expired ones in the way of the constraint, go first.
        SlotHold.objects.filter(mine | Q(expires_at__lte=now), business=business).delete()
        holds = Holds(at=now)
        chosen = staff_for(business, items, start, holds=holds)
        rows = []
        at = start
        for (service, _), staff_id in zip(items, chosen, strict=True):
            placed = Appointment()  # where the booking would be: its times, never saved
            placed.set_times(at, service.duration, *service_timing(service))
            kept = resources_to_hold(business, service, at, holds=holds)  # SlotUnavailable if none is free
            rows.append(
                SlotHold(
                    token_hash=hold_token_hash(token),
                    business=business,
                    staff_id=staff_id,
                    service=service,
                    start=placed.start,
                    end=placed.end,
                    staff_busy=placed.staff_busy,
                    resources=kept,
                    expires_at=expires_at,
                    customer=customer,
                )
            )
            at = placed.end
        try:
            with transaction.atomic():
                SlotHold.objects.bulk_create(rows)
        except IntegrityError:  # written past our lock: the constraint has the last word
            raise SlotUnavailable() from None
        # GREATEST skips a NULL: the first hold sets it.
        Business.objects.filter(pk=business.pk).update(
            holds_until=Greatest("holds_until", Value(expires_at, output_field=DateTimeField()))
        )
    return Hold(token=token, expires_at=expires_at, rows=rows)


def staff_for(
    business: Business, items: Sequence[tuple[Service, StaffMember | None]], start: datetime, *, holds: Holds
) -> list:
    """The staff member per item a customer's booking at `start` would get now (under the
    lock), as appointment_book and visit_book choose them; SlotUnavailable if none is free."""
    window = customer_window(business, now=holds.at)
    if len(items) == 1:
        service, staff = items[0]
        free = free_staff_at(business, service, start, staff=staff, window=window, holds=holds)
        if not free:
            raise SlotUnavailable()
        return least_booked_first(business, free, start)[:1]
    shaped = [(service_shape(service), service, staff) for service, staff in items]
    planned = plan_visit(
        business, shaped, first_day=timezone.localdate(start, business.zone), days=1, window=window, holds=holds
    )
    return choose_staff(business, planned, start)


def hold_release(token: str) -> bool:
    """Let go of a hold (the holder chose another time, or closed the page); False: no such hold."""
    deleted, _ = SlotHold.objects.filter(token_hash=hold_token_hash(token)).delete()
    return bool(deleted)


def expired_holds_delete(*, now: datetime | None = None) -> int:
    """Tidy away holds that expired (they already count for nothing); returns how many rows."""
    deleted, _ = SlotHold.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
