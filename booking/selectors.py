"""Reads for booking, always scoped by business: the availability loader and friends."""

import hashlib
import uuid
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from booking.availability import (
    FreeStarts,
    ResourceTime,
    ServiceShape,
    Slot,
    Span,
    StaffTime,
    free_resources_at,
    local_instant,
    offered_slots,
    staff_free_starts,
    window_range,
    working_shifts,
)
from booking.availability_cache import cached_availability
from booking.compact import compact_offer
from booking.errors import BookingInvalid
from booking.models import KEPT_STATUSES, OCCUPYING_STATUSES, Appointment, ResourceBooking
from businesses.models import Business, OpeningHours, Service, StaffMember, TimeOff
from businesses.selectors import staff_performing
from customers.models import CustomerAccount

MAX_AVAILABILITY_DAYS = 62


@dataclass(frozen=True)
class BookingWindow:
    """Where customers may book: from now + notice to the end of the horizon's last day.
    `customer`: the answer is for a customer (the salon's compact offering applies)."""

    not_before: datetime | None
    not_after: datetime | None
    customer: bool = False


def last_bookable_day(business: Business, *, today: date) -> date:
    """The last local day customers may book (and wait for): the salon's booking horizon."""
    return today + timedelta(days=business.max_advance_days)


def customer_window(business: Business, *, now: datetime) -> BookingWindow:
    last_day = last_bookable_day(business, today=timezone.localdate(now, business.zone))
    return BookingWindow(
        not_before=now + timedelta(minutes=business.min_notice_minutes),
        not_after=local_instant(last_day + timedelta(days=1), time(0), business.zone),
        customer=True,
    )


# Members of the business may book at any time, also in the past (a walk-in).
MEMBER_WINDOW = BookingWindow(not_before=None, not_after=None)


@dataclass(frozen=True)
class Holds:
    """Which slot holds (booking.holds) take time: those unexpired at `at`, but not the
    asker's own (`own`: the sha256 of their hold token) and none at all where `ignored` (a
    member overriding holds in the admin)."""

    at: datetime
    own: str = ""
    ignored: bool = False


# Where no hold counts: the answers kept in the availability cache, a member's override.
NO_HOLDS = Holds(at=datetime.min.replace(tzinfo=UTC), ignored=True)


def hold_token_hash(token: str) -> str:
    """What a hold token is stored as (booking.models.SlotHold.token_hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


def holds_now(own: str = "") -> Holds:
    return Holds(at=timezone.now(), own=own)


def holds_active(business: Business, holds: Holds) -> bool:
    """Might a hold of `business` still count at `holds.at`? (None has outlived holds_until.)"""
    return not holds.ignored and business.holds_until is not None and business.holds_until > holds.at


def local_range(business: Business, first_day: date, days: int) -> tuple[datetime, datetime]:
    """From the start of `first_day` to the end of the last of `days` local dates."""
    zone = business.zone
    return local_instant(first_day, time(0), zone), local_instant(first_day + timedelta(days=days), time(0), zone)


def padded(between: tuple[datetime, datetime]) -> tuple[datetime, datetime]:
    """A day more on each side: a candidate's buffers and length reach a little outside."""
    return between[0] - timedelta(days=1), between[1] + timedelta(days=1)


def weekly_hours(rows: Iterable[tuple[int, time, time]]) -> dict[int, list[tuple[time, time]]]:
    hours: dict = defaultdict(list)
    for weekday, start, end in rows:
        hours[weekday].append((start, end))
    return hours


def staff_times(
    business: Business,
    staff: list[StaffMember],
    *,
    first_day: date,
    days: int,
    excluded: Sequence = (),
    holds: Holds | None = None,
) -> list[StaffTime]:
    """The engine's inputs for `staff` over `days` local dates, in one query (`STAFF_TIME_SQL`);
    the appointments with ids in `excluded` (being moved) do not count, slot holds count as
    `holds` says (None: none do; the cached, clock-free answers)."""
    zone = business.zone
    range_start, range_end = local_range(business, first_day, days)
    busy_from, busy_until = padded((range_start, range_end))
    staff_ids = [member.pk for member in staff]

    opening: dict = defaultdict(list)
    working: dict = defaultdict(lambda: defaultdict(list))
    closures: list[Span] = []
    time_off: dict = defaultdict(list)
    busy: dict = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(
            STAFF_TIME_SQL,
            {
                "business": business.pk,
                "staff": staff_ids,
                "from": range_start,
                "until": range_end,
                "busy_from": busy_from,
                "busy_until": busy_until,
                "occupying": list(OCCUPYING_STATUSES),
                "excluded": list(excluded),
                "holds_at": holds.at if holds is not None and not holds.ignored else None,
                "own_hold": holds.own if holds is not None else "",
            },
        )
        for kind, staff_id, weekday, start, end, lower, upper in cursor.fetchall():
            if kind == "opening":
                opening[weekday].append((start, end))
            elif kind == "working":
                working[staff_id][weekday].append((start, end))
            elif kind == "away":
                (time_off[staff_id] if staff_id else closures).append((lower, upper))
            else:
                busy[staff_id].append((lower, upper))

    shifts_by_week: dict = {}  # staff on the same weekly hours share their shifts

    def shifts_of(weekly: dict) -> list:
        week = tuple(sorted((day, tuple(sorted(hours))) for day, hours in weekly.items()))
        if week not in shifts_by_week:
            shifts_by_week[week] = working_shifts(weekly, opening, first_day=first_day, days=days, zone=zone)
        return shifts_by_week[week]

    return [
        StaffTime(
            staff_id=member.pk,
            shifts=shifts_of(working[member.pk]),
            time_off=[*time_off[member.pk], *closures],
            busy=busy[member.pk],
        )
        for member in staff
    ]


# Everything the engine reads about the staff's time, as tagged rows of one round trip: the
# salon's opening hours and the staff's weekly hours (weekday, start, end); time off and
# closures overlapping the range, and the busy pieces of occupying appointments overlapping
# it padded by a day (epoch seconds; PostgreSQL unnests the pieces: parsing thousands of
# ranges in Python costs more than the rest of the engine), and so do unexpired slot holds
# when `holds_at` is given.
STAFF_TIME_SQL = """
    SELECT 'opening', NULL::uuid, weekday, start, "end", NULL::bigint, NULL::bigint
      FROM businesses_openinghours
     WHERE business_id = %(business)s
    UNION ALL
    SELECT 'working', staff_id, weekday, start, "end", NULL, NULL
      FROM businesses_workinghours
     WHERE staff_id = ANY(%(staff)s::uuid[])
    UNION ALL
    SELECT 'away', staff_id, NULL, NULL, NULL,
           floor(extract(epoch FROM start))::bigint, floor(extract(epoch FROM "end"))::bigint
      FROM businesses_timeoff
     WHERE business_id = %(business)s AND (staff_id = ANY(%(staff)s::uuid[]) OR staff_id IS NULL)
       AND start < %(until)s AND "end" > %(from)s
    UNION ALL
    SELECT 'busy', a.staff_id, NULL, NULL, NULL,
           extract(epoch FROM lower(piece))::bigint, extract(epoch FROM upper(piece))::bigint
      FROM booking_appointment a CROSS JOIN LATERAL unnest(a.staff_busy) AS piece
     WHERE a.staff_id = ANY(%(staff)s::uuid[]) AND a.status = ANY(%(occupying)s)
       AND a.staff_busy && tstzrange(%(busy_from)s, %(busy_until)s)
       AND a.id <> ALL(%(excluded)s::uuid[])
    UNION ALL
    SELECT 'busy', h.staff_id, NULL, NULL, NULL,
           extract(epoch FROM lower(piece))::bigint, extract(epoch FROM upper(piece))::bigint
      FROM booking_slothold h CROSS JOIN LATERAL unnest(h.staff_busy) AS piece
     WHERE %(holds_at)s::timestamptz IS NOT NULL AND h.expires_at > %(holds_at)s::timestamptz
       AND h.staff_id = ANY(%(staff)s::uuid[]) AND h.token_hash <> %(own_hold)s
       AND h.staff_busy && tstzrange(%(busy_from)s, %(busy_until)s)
"""


def resource_times(
    business: Business,
    kinds: Sequence[str],
    *,
    between: tuple[datetime, datetime],
    excluded: Sequence = (),
    holds: Holds | None = None,
) -> list[ResourceTime]:
    """The active resources of `kinds` with the times they are held (by bookings, and by slot
    holds as `holds` says: None, none), in one query; the least used over `between` first
    (booking assigns the first free one)."""
    if not kinds:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            RESOURCE_TIME_SQL,
            {
                "business": business.pk,
                "kinds": list(kinds),
                "from": between[0],
                "until": between[1],
                "excluded": list(excluded),
                "holds_at": holds.at if holds is not None and not holds.ignored else None,
                "own_hold": holds.own if holds is not None else "",
            },
        )
        rows = cursor.fetchall()
    kind_of: dict = {}  # in the salon's order
    held: dict = defaultdict(list)
    for resource_id, kind, lower, upper in rows:
        kind_of[resource_id] = kind
        if lower is not None:
            held[resource_id].append((lower, upper))
    in_use = {pk: sum(upper - lower for lower, upper in held[pk]) for pk in kind_of}
    return [
        ResourceTime(resource_id=pk, kind=kind_of[pk], busy=held[pk])
        for pk in sorted(kind_of, key=lambda pk: in_use[pk])
    ]


# The resources with the bookings (and, when `holds_at` is given, the unexpired slot holds)
# that hold them inside the range (none: one row of NULLs).
RESOURCE_TIME_SQL = """
    SELECT r.id, r.kind,
           extract(epoch FROM lower(b.held_range))::bigint, extract(epoch FROM upper(b.held_range))::bigint
      FROM businesses_resource r
      LEFT JOIN (
            SELECT resource_id, held_range
              FROM booking_resourcebooking
             WHERE holds AND held_range && tstzrange(%(from)s, %(until)s)
               AND appointment_id <> ALL(%(excluded)s::uuid[])
            UNION ALL
            SELECT unnest(h.resources), tstzrange(h.start, h."end")
              FROM booking_slothold h
             WHERE %(holds_at)s::timestamptz IS NOT NULL AND h.business_id = %(business)s
               AND h.expires_at > %(holds_at)s::timestamptz AND h.token_hash <> %(own_hold)s
               AND cardinality(h.resources) > 0 AND h.start < %(until)s AND h."end" > %(from)s
           ) b
        ON b.resource_id = r.id
     WHERE r.business_id = %(business)s AND r.kind = ANY(%(kinds)s) AND r.is_active
     ORDER BY r.position, r.name, r.id
"""


def open_days(business: Business, *, first_day: date, days: int) -> set[date]:
    """The local dates on which the salon opens at all: opening hours that weekday, not
    wholly covered by a business closure. (A day that is open but has no free time is
    fully booked, not closed.)"""
    zone = business.zone
    opening = weekly_hours(OpeningHours.objects.filter(business=business).values_list("weekday", "start", "end"))
    range_start, range_end = local_range(business, first_day, days)
    closures = list(
        TimeOff.objects.filter(
            business=business, staff__isnull=True, start__lt=range_end, end__gt=range_start
        ).values_list("start", "end")
    )
    found = set()
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        hours = opening.get(day.weekday(), ())
        if not hours:
            continue
        opens = local_instant(day, min(start for start, _ in hours), zone)
        closes = local_instant(day, max(end for _, end in hours), zone)
        if not any(start <= opens and closes <= end for start, end in closures):
            found.add(day)
    return found


def question(
    business: Business,
    version: int,
    service: Service,
    staff: StaffMember | None,
    first_day: date,
    days: int,
    slot_interval: timedelta,
) -> dict[str, Any]:
    """What an availability answer is cached by (booking.availability_cache's key)."""
    return {
        "business_id": business.pk,
        "version": version,
        "service_id": service.pk,
        "staff_id": staff.pk if staff else None,
        "first_day": first_day,
        "days": days,
        "slot_interval": slot_interval,
    }


def available_slots(
    business: Business,
    service: Service,
    *,
    first_day: date,
    days: int = 1,
    staff: StaffMember | None = None,
    window: BookingWindow,
    exclude_appointment: Appointment | None = None,
    slot_interval: timedelta | None = None,
    version: int | None = None,
    performing: list[StaffMember] | None = None,
    holds: Holds | None = None,
) -> list[Slot]:
    """Free slots for a service over `days` local dates from `first_day` (two queries, three
    with resources),
    on the salon's grid (or on `slot_interval`'s: a walk-in starts at the next free minute).

    `version`: the business's `availability_version` as loaded in this request; given, the
    clock-free part comes from the availability cache (booking/availability_cache.py), unless
    a slot hold may count (`holds_active`): then it is computed with them.
    `performing`: `staff_performing(business, service, staff)` where the caller has it.
    `holds`: which slot holds count (default: everyone's unexpired now)."""
    if not 1 <= days <= MAX_AVAILABILITY_DAYS:
        limit = {"max": MAX_AVAILABILITY_DAYS}
        raise BookingInvalid(
            ngettext(
                "Ask for 1 to %(max)d day at a time.", "Ask for 1 to %(max)d days at a time.", MAX_AVAILABILITY_DAYS
            )
            % limit,
            fields={"days": [_("Must be between 1 and %(max)d.") % limit]},
        )
    shape = service_shape(service)
    interval = slot_interval or business.slot_interval
    excluded = [exclude_appointment.pk] if exclude_appointment is not None else []
    holds = holds or holds_now()
    cacheable = version is not None and not excluded and not holds_active(business, holds)
    counted = None if cacheable else holds  # a kept answer is clock-free: it counts no hold

    def free_starts() -> FreeStarts:
        members = staff_performing(business, service, staff) if performing is None else performing
        if not members:
            return []
        return staff_free_starts(
            staff_times(business, members, first_day=first_day, days=days, excluded=excluded, holds=counted),
            service=shape,
            slot_interval=interval,
            resources=resource_times(
                business,
                service.resource_kinds,
                between=padded(local_range(business, first_day, days)),
                excluded=excluded,
                holds=counted,
            ),
        )

    def cached(kind: str, compute: Callable) -> Any:
        if not cacheable:
            return compute()
        return cached_availability(
            kind, **question(business, cast(int, version), service, staff, first_day, days, interval), compute=compute
        )

    offer = offer_for(business, shape, window)
    if offer is None:  # every free start: the slots themselves are kept, cut to the window
        every = cached("slots", lambda: offered_slots(free_starts(), service=shape))
        return within_window(every, window)
    # The salon's compact offering looks at each stylist's day: their free starts are kept.
    free = cached("free-starts", free_starts)
    return offered_slots(free, service=shape, not_before=window.not_before, not_after=window.not_after, offer=offer)


def available_fragments(
    business: Business,
    service: Service,
    *,
    first_day: date,
    days: int,
    staff: StaffMember | None,
    window: BookingWindow,
    version: int,
    render: Callable[[Slot], str],
) -> str | None:
    """`available_slots` as the comma-joined `render`ings of the slots (the API's JSON), kept
    rendered in the availability cache and cut to the window per request: a warm answer
    renders nothing and slices one string. None where the salon's compact offering applies to
    the asker, or a slot hold may count (ask `available_slots`)."""
    if window.customer and business.slot_offering == Business.SlotOffering.COMPACT:
        return None
    if holds_active(business, holds_now()):
        return None

    def compute() -> tuple[array, array, str]:
        every = available_slots(
            business,
            service,
            first_day=first_day,
            days=days,
            staff=staff,
            window=BookingWindow(not_before=None, not_after=None, customer=window.customer),
            holds=NO_HOLDS,  # kept: clock-free
        )
        # Epoch seconds and offsets as machine integers: a cache hit unpickles three objects,
        # not thousands.
        starts, offsets, length = array("q"), array("q"), 0
        parts: list[str] = []
        for slot in every:
            text = render(slot)
            starts.append(int(slot.start.timestamp()))
            offsets.append(length + (1 if parts else 0))  # past the comma before it
            length += len(text) + (1 if parts else 0)
            parts.append(text)
        return starts, offsets, ",".join(parts)

    starts, offsets, text = cached_availability(
        "rendered",
        **question(business, version, service, staff, first_day, days, business.slot_interval),
        compute=compute,
    )
    first, last = window_range(starts, *(seconds_or_none(bound) for bound in (window.not_before, window.not_after)))
    if first >= last:
        return ""
    return text[offsets[first] : offsets[last] - 1 if last < len(offsets) else len(text)]


def seconds_or_none(moment: datetime | None) -> int | None:
    """An instant as the epoch seconds kept rendered slots start at; a bound inside a second
    keeps the slot starting at that second out (`not_before` at 10:00:00.5 excludes 10:00)."""
    if moment is None:
        return None
    whole = int(moment.timestamp())
    return whole + 1 if moment.timestamp() > whole else whole


def within_window(slots: list[Slot], window: BookingWindow) -> list[Slot]:
    """The slots (in time order) starting inside the window."""
    first, last = window_bounds([slot.start for slot in slots], window)
    return slots[first:last]


def window_bounds(starts: Sequence, window: BookingWindow) -> tuple[int, int]:
    """The index range of the ascending `starts` (datetimes) inside the window."""
    return window_range(starts, window.not_before, window.not_after)


def offer_for(business: Business, shape: ServiceShape, window: BookingWindow) -> Callable | None:
    """Which free starts customers are offered: all, or the salon's compact offering (one
    query for its shortest active service). Members always see every free start."""
    if not window.customer or business.slot_offering != Business.SlotOffering.COMPACT:
        return None
    shortest = business.services.filter(is_active=True).aggregate(shortest=Min("duration"))["shortest"]
    if shortest is None:
        return None
    return compact_offer(shape.staff_pieces(), shortest=int(shortest.total_seconds()), zone=business.zone)


def free_resources(
    business: Business,
    service: Service,
    start: datetime,
    *,
    exclude_appointment: Appointment | None = None,
    holds: Holds | None = None,
) -> dict[str, list]:
    """For each kind of resource the service needs, the ids of those free for its whole time
    from `start`, least used that day first (`holds`: which slot holds count, default
    everyone's unexpired now)."""
    end = start + service.duration
    excluded = [exclude_appointment.pk] if exclude_appointment is not None else []
    resources = resource_times(
        business, service.resource_kinds, between=padded((start, end)), excluded=excluded, holds=holds or holds_now()
    )
    return free_resources_at(resources, kinds=service.resource_kinds, start=start, end=end)


def resources_held(appointments: Iterable[Appointment]) -> dict[Any, set]:
    """Resource id -> ids of those of `appointments` that hold it (one query)."""
    held: dict[Any, set] = defaultdict(set)
    for resource_id, appointment_id in ResourceBooking.objects.filter(
        appointment__in=[a.pk for a in appointments]
    ).values_list("resource_id", "appointment_id"):
        held[resource_id].add(appointment_id)
    return held


def visit_items(appointment: Appointment) -> list[Appointment]:
    """What a message or invite about `appointment` covers: its visit's appointments in time
    order (the lead's messages speak for the whole visit), or itself. A cancellation covers
    the cancelled ones; anything else the ones still standing."""
    if appointment.visit_id is None:
        return [appointment]
    siblings = Appointment.objects.filter(visit_id=appointment.visit_id).select_related("business", "service", "staff")
    cancelled = appointment.status == Appointment.Status.CANCELLED
    return [a for a in siblings.order_by("start", "pk") if (a.status == Appointment.Status.CANCELLED) == cancelled]


def service_shape(service: Service) -> ServiceShape:
    return ServiceShape(
        service.duration,
        service.buffer_before,
        service.buffer_after,
        processing_offset=service.processing_offset,
        processing_duration=service.processing_duration,
        resource_kinds=tuple(service.resource_kinds),
    )


def upcoming(now: datetime) -> Q:
    """What "upcoming" means everywhere (lists, the booking limit, the portal): confirmed
    (or checked in) and not over yet, so an appointment in progress still counts."""
    return Q(status__in=OCCUPYING_STATUSES, end__gt=now)


def is_upcoming(appointment: Appointment, now: datetime) -> bool:
    """`upcoming` for one appointment already loaded."""
    return appointment.status in OCCUPYING_STATUSES and appointment.end > now


def past(now: datetime) -> Q:
    """Over: ended (also completed or no-show), not cancelled."""
    return Q(status__in=KEPT_STATUSES, end__lte=now)


def customer_appointments(
    customer: CustomerAccount, *, status: str | None, business_id: uuid.UUID | None = None, now: datetime
) -> QuerySet[Appointment]:
    """A customer's appointments (only theirs), filtered as `?status=` asks."""
    appointments = (
        Appointment.objects.filter(customer=customer).select_related("business").prefetch_related("resource_bookings")
    )
    if business_id is not None:
        appointments = appointments.filter(business_id=business_id)
    if status == "upcoming":
        return appointments.filter(upcoming(now)).order_by("start", "id")
    if status == "past":
        return appointments.filter(past(now)).order_by("-start", "id")
    if status == "cancelled":
        return appointments.filter(status=Appointment.Status.CANCELLED).order_by("-start", "id")
    return appointments.order_by("-start", "id")


def slots_by_day(slots: list[Slot], zone: ZoneInfo) -> dict[date, list[Slot]]:
    """Slots grouped by the business-local date they start on (in time order)."""
    days: dict[date, list[Slot]] = defaultdict(list)
    for slot in slots:
        days[slot.start.astimezone(zone).date()].append(slot)
    return days


def nearest_slots(
    business: Business,
    service: Service,
    *,
    around: datetime,
    staff: StaffMember | None,
    window: BookingWindow,
    count: int = 5,
) -> list[Slot]:
    """The free slots closest to `around` within a week of it, in time order."""
    first_day = timezone.localdate(around, business.zone) - timedelta(days=3)
    slots = available_slots(business, service, first_day=first_day, days=7, staff=staff, window=window)
    closest = sorted(slots, key=lambda slot: abs(slot.start - around))[:count]
    return sorted(closest, key=lambda slot: slot.start)


def customer_data(customer: CustomerAccount) -> dict[str, Any]:
    """Everything we hold about a customer, for "download my data"."""
    appointments = Appointment.objects.filter(customer=customer).select_related("business", "service", "staff")
    relationships = customer.business_relationships.select_related("business")
    return {
        "profile": {
            "id": str(customer.pk),
            "email": customer.email,
            "phone": customer.phone,
            "phone_verified": customer.phone_verified,
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "created_at": customer.created_at.isoformat(),
            "sms_opt_out": customer.sms_opt_out,
            "reminders_opt_out": customer.reminders_opt_out,
            "language": customer.language,
        },
        "salons": [
            {
                "salon": r.business.name,
                "visits": r.total_visits,
                "total_spent": str(r.total_spent),
                "loyalty_points": r.loyalty_points,
                "contact_entered_by_salon": {
                    "phone": r.phone,
                    "first_name": r.first_name,
                    "last_name": r.last_name,
                },
                "allergies": r.allergies,
                "patch_test_required": r.patch_test_required,
                "patch_test_on": r.patch_test_on.isoformat() if r.patch_test_on else None,
            }
            for r in relationships
        ],
        "appointments": [
            {
                "id": str(a.pk),
                "salon": a.business.name,
                "service": a.service.name,
                "staff": a.staff.name,
                "start": a.start.astimezone(a.business.zone).isoformat(),
                "end": a.end.astimezone(a.business.zone).isoformat(),
                "status": a.status,
                "price": str(a.price),
                "source": a.source,
                "notes": a.notes,
            }
            for a in appointments.order_by("start")
        ],
    }
