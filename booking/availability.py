"""The availability engine (DESIGN §4): pure functions over plain intervals, no ORM.

Two steps, both pure:
1. `working_shifts` turns weekly local hours into instants for a run of local dates,
   intersecting a staff member's hours with the business's opening hours.
2. `free_slots` lays the grid from the start of each shift and keeps the starts where
   the appointment fits in working time (shifts minus time off and closures), its
   buffered range touches no busy time, and it lies within notice and horizon.

Instants are compared as whole seconds since the epoch: the hot loop touches tens of
thousands of grid points for a big salon, and int arithmetic is far cheaper than
datetime arithmetic there.

Time zones: local wall-clock times become instants with `datetime.combine(day, t,
tzinfo=zone)` (fold=0). A local time that does not exist (spring-forward gap) is read
with the offset in force before the change, so it lands that much later on the new
clock; a repeated local time (fall-back) is its first occurrence. See docs/availability.md.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WeeklyHours = Mapping[int, Sequence[tuple[time, time]]]  # weekday (Monday=0) -> local intervals


@dataclass(frozen=True, slots=True)
class Interval:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class StaffTime:
    """Everything the engine needs to know about one staff member over the range."""

    staff_id: object
    shifts: Sequence[Interval]  # weekly hours ∩ opening hours, as instants: the grid anchors
    time_off: Sequence[Interval] = ()  # personal time off and business closures
    busy: Sequence[Interval] = ()  # blocked ranges (with buffers) of confirmed appointments


@dataclass(frozen=True, slots=True)
class ServiceShape:
    duration: timedelta
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)


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
) -> list[Interval]:
    """The staff member's working intervals on each local date, as UTC instants."""
    shifts = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for start, end in intersect_hours(weekly.get(day.weekday(), ()), opening.get(day.weekday(), ())):
            shift = Interval(local_instant(day, start, zone), local_instant(day, end, zone))
            if shift.start < shift.end:
                shifts.append(shift)
    return shifts


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def _merged(intervals: Iterable[Interval]) -> list[tuple[int, int]]:
    """Sorted, disjoint (start, end) pairs in seconds; touching intervals join."""
    merged: list[list[int]] = []
    for start, end in sorted((_seconds(i.start), _seconds(i.end)) for i in intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def _subtract(blocks: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
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


def free_starts(
    staff: StaffTime,
    *,
    service: ServiceShape,
    slot_interval: timedelta,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> list[int]:
    """Free grid starts (epoch seconds) of one staff member, ascending."""
    step = int(slot_interval.total_seconds())
    duration = int(service.duration.total_seconds())
    before, after = int(service.buffer_before.total_seconds()), int(service.buffer_after.total_seconds())
    lowest = _seconds(not_before) if not_before else None
    highest = _seconds(not_after) if not_after else None

    shifts = [(_seconds(s.start), _seconds(s.end)) for s in staff.shifts]
    working = _subtract(_merged(staff.shifts), _merged(staff.time_off))
    busy = _merged(staff.busy)

    grid = sorted({t for start, end in shifts for t in range(start, end, step)})
    free = []
    w = b = 0
    for t in grid:
        if (lowest is not None and t < lowest) or (highest is not None and t >= highest):
            continue
        while w < len(working) and working[w][1] <= t:
            w += 1
        if w == len(working):
            break
        if not (working[w][0] <= t and t + duration <= working[w][1]):
            continue
        while b < len(busy) and busy[b][1] <= t - before:
            b += 1
        if b < len(busy) and busy[b][0] < t + duration + after:
            continue
        free.append(t)
    return free


def free_slots(
    staff: Sequence[StaffTime],
    *,
    service: ServiceShape,
    slot_interval: timedelta,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> list[Slot]:
    """Every free start with its end and the staff free at it (in input order), by time.

    `not_before` is the earliest allowed start (now + minimum notice); `not_after` is the
    first instant no longer allowed (the end of the horizon's last local day).
    """
    staff_by_start: dict[int, list] = {}
    for member in staff:
        for t in free_starts(
            member, service=service, slot_interval=slot_interval, not_before=not_before, not_after=not_after
        ):
            staff_by_start.setdefault(t, []).append(member.staff_id)
    duration = service.duration
    slots = []
    for t in sorted(staff_by_start):
        start = datetime.fromtimestamp(t, UTC)
        slots.append(Slot(start=start, end=start + duration, staff_ids=tuple(staff_by_start[t])))
    return slots
