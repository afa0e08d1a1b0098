"""Gap-aware slot offering (issue 16, DESIGN §10 `Business.slot_offering = compact`): pure.

A salon loses money on short holes nobody can book. In compact mode customers are offered,
per staff member and local day, only the free starts after which the stylist's free time on
either side of the booking is either nothing (the booking touches the start or end of their
working time, another booking's busy time, or a processing window's edge) or at least as long
as the salon's shortest active service. A day on which that would leave a stylist nothing to
offer, although they have free starts, offers those starts as before. Members of the business
always see every free start (the loader only asks for compact offers for customers).
"""

import bisect
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from booking.availability import Span, StaffTime, merged, subtract


def free_time(staff: StaffTime) -> list[Span]:
    """The staff member's free time: working time less time off and their busy pieces."""
    working = subtract(merged(staff.shifts), merged(staff.time_off))
    return subtract(working, merged(staff.busy))


def gaps_around(free: list[Span], t: int, pieces: Sequence[Span]) -> tuple[int, int]:
    """The free time a booking at `t` would leave just before and just after it, within the
    free interval it starts in (0 where it touches that interval's edge or reaches past it)."""
    if not pieces:
        return 0, 0  # the staff member is never busy with it: it leaves no hole
    first, last = t + min(a for a, _ in pieces), t + max(b for _, b in pieces)
    i = bisect.bisect_right(free, (t, 2**62)) - 1
    if i < 0 or not free[i][0] <= t < free[i][1]:
        return 0, 0
    start, end = free[i]
    return max(0, first - start), max(0, end - last)


def leaves_no_short_gap(gaps: tuple[int, int], shortest: int) -> bool:
    return all(gap == 0 or gap >= shortest for gap in gaps)


def compact_offer(
    pieces: Sequence[Span], *, shortest: int, zone: ZoneInfo
) -> Callable[[StaffTime, list[int]], list[int]]:
    """The `offer` filter for availability.free_slots: of a staff member's free starts, those
    leaving no gap shorter than `shortest` seconds; a local day where none would, all of it."""

    def offer(staff: StaffTime, starts: list[int]) -> list[int]:
        free = free_time(staff)
        by_day: dict[date, list[int]] = defaultdict(list)
        for t in starts:
            by_day[datetime.fromtimestamp(t, UTC).astimezone(zone).date()].append(t)
        offered = []
        for day_starts in by_day.values():
            tidy = [t for t in day_starts if leaves_no_short_gap(gaps_around(free, t, pieces), shortest)]
            offered.extend(tidy or day_starts)
        return sorted(offered)

    return offer
