"""The availability engine (DESIGN §4): pure functions over plain intervals, no ORM.

Instants are whole seconds since the epoch (UTC) and intervals are half-open
`(start, end)` pairs of them ("spans"): a big salon's grid has tens of thousands of
points, and int arithmetic is far cheaper than datetime arithmetic there. Only the
answer is turned back into datetimes.

Two steps, both pure:
1. `working_shifts` turns weekly local hours into spans for a run of local dates,
   intersecting a staff member's hours with the business's opening hours.
2. `free_slots` lays the grid from the start of each shift and keeps the starts where
   the appointment fits in working time (shifts minus time off and closures), the staff
   member's busy pieces of it (buffers included, the processing window left out) touch no
   busy time, one resource of each kind the service needs is free for its whole time, and
   it lies within notice and horizon.

Time zones: local wall-clock times become instants with `datetime.combine(day, t,
tzinfo=zone)` (fold=0). A local time that does not exist (spring-forward gap) is read
with the offset in force before the change, so it lands that much later on the new
clock; a repeated local time (fall-back) is its first occurrence. See docs/availability.md.
"""

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

Span = tuple[int, int]  # [start, end) in seconds since the epoch
WeeklyHours = Mapping[int, Sequence[tuple[time, time]]]  # weekday (Monday=0) -> local intervals


def seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def span(start: datetime, end: datetime) -> Span:
    return seconds(start), seconds(end)


@dataclass(frozen=True, slots=True)
class StaffTime:
    """Everything the engine needs to know about one staff member over the range."""

    staff_id: object
    shifts: Sequence[Span]  # weekly hours ∩ opening hours: the grid anchors
    time_off: Sequence[Span] = ()  # personal time off and business closures
    busy: Sequence[Span] = ()  # busy pieces (with buffers, without processing) of their bookings


@dataclass(frozen=True, slots=True)
class ResourceTime:
    """A chair, basin or room: booked whole for each appointment that holds it."""

    resource_id: object
    kind: str
    busy: Sequence[Span] = ()  # [start, end) of the appointments holding it


@dataclass(frozen=True, slots=True)
class ServiceShape:
    duration: timedelta
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    # The processing window (colour developing): [start + offset, start + offset + processing)
    # frees the staff member; the client and the resources stay.
    processing_offset: timedelta = timedelta(0)
    processing_duration: timedelta = timedelta(0)
    resource_kinds: tuple[str, ...] = ()

    def staff_pieces(self) -> list[Span]:
        """The staff member's busy time of a booking at t = 0, as spans relative to its start."""
        duration, before, after = (
            int(d.total_seconds()) for d in (self.duration, self.buffer_before, self.buffer_after)
        )
        if not self.processing_duration:
            return [(-before, duration + after)]
        gap_start = int(self.processing_offset.total_seconds())
        gap_end = gap_start + int(self.processing_duration.total_seconds())
        return [piece for piece in ((-before, gap_start), (gap_end, duration + after)) if piece[0] < piece[1]]


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime
    end: datetime
    staff_ids: tuple


def intersect_hours(
    first: Sequence[tuple[time, time]], second: Sequence[tuple[time, time]]
) -> list[tuple[time, time]]:
    """Overlap of two lists of local intervals of one day."""
    overlaps = []
    for start_a, end_a in first:
        for start_b, end_b in second:
            start, end = max(start_a, start_b), min(end_a, end_b)
            if start < end:
                overlaps.append((start, end))
    return sorted(set(overlaps))


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def working_shifts(
    weekly: WeeklyHours, opening: WeeklyHours, *, first_day: date, days: int, zone: ZoneInfo
) -> list[Span]:
    """The staff member's working intervals on each local date, as spans."""
    shifts = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for start, end in intersect_hours(weekly.get(day.weekday(), ()), opening.get(day.weekday(), ())):
            shift = span(local_instant(day, start, zone), local_instant(day, end, zone))
            if shift[0] < shift[1]:
                shifts.append(shift)
    return shifts


def merged(spans: Iterable[Span]) -> list[Span]:
    """Sorted, disjoint spans; touching ones join."""
    result: list[list[int]] = []
    for start, end in sorted(spans):
        if result and start <= result[-1][1]:
            result[-1][1] = max(result[-1][1], end)
        else:
            result.append([start, end])
    return [(start, end) for start, end in result]


def subtract(blocks: list[Span], holes: list[Span]) -> list[Span]:
    """`blocks` minus `holes`; both sorted and disjoint."""
    result = []
    h = 0
    for start, end in blocks:
        while h < len(holes) and holes[h][1] <= start:
            h += 1
        cursor, i = start, h
        while i < len(holes) and holes[i][0] < end:
            if holes[i][0] > cursor:
                result.append((cursor, holes[i][0]))
            cursor = max(cursor, holes[i][1])
            i += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def intersect(first: list[Span], second: list[Span]) -> list[Span]:
    """The overlap of two sorted, disjoint span lists."""
    result = []
    i = j = 0
    while i < len(first) and j < len(second):
        start, end = max(first[i][0], second[j][0]), min(first[i][1], second[j][1])
        if start < end:
            result.append((start, end))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return result


EVER: Span = (-(2**62), 2**62)


def starts_clear_of(busy: Iterable[Span], pieces: Sequence[Span]) -> list[Span]:
    """Starts t at which no piece [t + a, t + b) overlaps a busy span B, as sorted spans of t.

    Piece (a, b) overlaps B when t + a < B.end and t + b > B.start, i.e. t in
    [B.start - b + 1, B.end - a).
    """
    busy = list(busy)
    forbidden = merged((start - b + 1, end - a) for start, end in busy for a, b in pieces)
    return subtract([EVER], forbidden)


def resource_starts(resources: Sequence[ResourceTime], *, kinds: Sequence[str], duration: int) -> list[Span]:
    """Starts at which, for every kind, at least one resource of it is free for [t, t + duration)."""
    allowed = [EVER]
    for kind in kinds:
        of_kind = [resource for resource in resources if resource.kind == kind]
        free_any = merged(span_ for resource in of_kind for span_ in starts_clear_of(resource.busy, [(0, duration)]))
        allowed = intersect(allowed, free_any)
    return allowed


def allowed_starts(
    staff: StaffTime,
    *,
    duration: int,
    pieces: Sequence[Span],
    lowest: int | None,
    highest: int | None,
    within: list[Span] | None = None,
) -> list[Span]:
    """Where a start t may fall, ignoring the grid, as sorted closed-open spans of t.

    t fits working block W when W.start <= t <= W.end - duration, i.e. t in
    [W.start, W.end - duration + 1); it must leave every busy span clear of the staff
    member's pieces (starts_clear_of) and, when given, lie `within` (free resources).
    """
    working = subtract(merged(staff.shifts), merged(staff.time_off))
    fits = [(start, end - duration + 1) for start, end in working if end - start >= duration]
    allowed = intersect(fits, starts_clear_of(staff.busy, pieces))
    if within is not None:
        allowed = intersect(allowed, within)
    if lowest is not None or highest is not None:
        low = lowest if lowest is not None else allowed[0][0] if allowed else 0
        high = highest if highest is not None else allowed[-1][1] if allowed else 0
        allowed = [(max(a, low), min(b, high)) for a, b in allowed if a < high and b > low]
    return allowed


def free_starts(
    staff: StaffTime,
    *,
    service: ServiceShape,
    slot_interval: timedelta,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    within: list[Span] | None = None,
) -> list[int]:
    """Free grid starts (epoch seconds) of one staff member, ascending, without duplicates."""
    step = int(slot_interval.total_seconds())
    allowed = allowed_starts(
        staff,
        duration=int(service.duration.total_seconds()),
        pieces=service.staff_pieces(),
        lowest=seconds(not_before) if not_before else None,
        highest=seconds(not_after) if not_after else None,
        within=within,
    )
    starts: list[int] = []
    shifts = sorted(staff.shifts)
    a = 0
    for anchor, shift_end in shifts:
        while a < len(allowed) and allowed[a][1] <= anchor:
            a += 1
        i = a
        while i < len(allowed) and allowed[i][0] < shift_end:
            low, high = max(allowed[i][0], anchor), min(allowed[i][1], shift_end)
            first = anchor + -(-(low - anchor) // step) * step  # first grid point >= low
            starts.extend(range(first, high, step))
            i += 1
    overlapping = any(later[0] < earlier[1] for earlier, later in pairwise(shifts))
    # Overlapping weekly intervals (a misconfiguration) may lay a point twice or out of order.
    return sorted(set(starts)) if overlapping else starts


def free_slots(
    staff: Sequence[StaffTime],
    *,
    service: ServiceShape,
    slot_interval: timedelta,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    resources: Sequence[ResourceTime] = (),
    offer: Callable[[StaffTime, list[int]], list[int]] | None = None,
) -> list[Slot]:
    """Every free start with its end and the staff free at it (in input order), by time.

    `not_before` is the earliest allowed start (now + minimum notice); `not_after` is the
    first instant no longer allowed (the end of the horizon's last local day). `resources`:
    the business's active resources of the kinds the service needs, with their bookings.
    `offer`: which of a staff member's free starts to offer (all, when not given; see
    booking/compact.py for the salon's gap-aware offering).
    """
    free = staff_free_starts(staff, service=service, slot_interval=slot_interval, resources=resources)
    return offered_slots(free, service=service, not_before=not_before, not_after=not_after, offer=offer)


FreeStarts = list[tuple[StaffTime, list[int]]]


def staff_free_starts(
    staff: Sequence[StaffTime],
    *,
    service: ServiceShape,
    slot_interval: timedelta,
    resources: Sequence[ResourceTime] = (),
) -> FreeStarts:
    """Each staff member with all their free grid starts for the service, whenever they are:
    what depends only on the salon's data, not on the clock (booking/availability_cache.py
    keeps it)."""
    within = None
    if service.resource_kinds:
        within = resource_starts(
            resources, kinds=service.resource_kinds, duration=int(service.duration.total_seconds())
        )
    return [
        (member, free_starts(member, service=service, slot_interval=slot_interval, within=within)) for member in staff
    ]


def window_range(values: Sequence, low: Any, high: Any) -> tuple[int, int]:
    """The index range of the ascending `values` in [low, high) (None: unbounded)."""
    first = bisect_left(values, low) if low is not None else 0
    last = bisect_left(values, high) if high is not None else len(values)
    return first, last


def offered_slots(
    free: FreeStarts,
    *,
    service: ServiceShape,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    offer: Callable[[StaffTime, list[int]], list[int]] | None = None,
) -> list[Slot]:
    """The slots of `free` starts inside [not_before, not_after), as `offer` offers them."""
    low = seconds(not_before) if not_before else None
    high = seconds(not_after) if not_after else None
    staff_by_start: dict[int, list] = {}
    for member, all_starts in free:
        first, last = window_range(all_starts, low, high)
        starts = all_starts[first:last]
        for t in offer(member, starts) if offer is not None else starts:
            staff_by_start.setdefault(t, []).append(member.staff_id)
    duration = service.duration
    slots = []
    for t in sorted(staff_by_start):
        start = datetime.fromtimestamp(t, UTC)
        slots.append(Slot(start=start, end=start + duration, staff_ids=tuple(staff_by_start[t])))
    return slots


def free_resources_at(
    resources: Sequence[ResourceTime], *, kinds: Sequence[str], start: datetime, end: datetime
) -> dict[str, list]:
    """For each kind, the ids of its resources free for all of [start, end), in input order."""
    held = span(start, end)
    return {
        kind: [
            resource.resource_id
            for resource in resources
            if resource.kind == kind and not any(a < held[1] and held[0] < b for a, b in resource.busy)
        ]
        for kind in kinds
    }
