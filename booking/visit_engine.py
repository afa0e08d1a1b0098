"""Visits (DESIGN §10): several services back to back from one start. Pure, like the engine.

Item k + 1 starts when item k ends. The visit's start lies on the first item's staff grid and
inside the customer's window (notice and horizon apply to the visit's start); each later item
needs, at its own start, a staff member of its own free for it (availability.allowed_starts)
and one resource of each kind it needs. One person may do several items when their busy
pieces do not collide (buffers between two items of one stylist may); `assign` finds such a
choice, keeping the previous item's stylist where it can.
"""

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from booking.availability import (
    ResourceTime,
    ServiceShape,
    Span,
    StaffTime,
    allowed_starts,
    free_starts,
    resource_starts,
)


@dataclass(frozen=True, slots=True)
class VisitItem:
    """One service of a visit with the staff who may do it (one, or any who perform it)."""

    service: ServiceShape
    staff: Sequence[StaffTime]


@dataclass(frozen=True, slots=True)
class ItemSlot:
    start: datetime
    end: datetime
    staff_ids: tuple


@dataclass(frozen=True, slots=True)
class VisitSlot:
    start: datetime
    end: datetime
    items: tuple[ItemSlot, ...]


def offsets(items: Sequence[VisitItem]) -> list[int]:
    """Seconds from the visit's start to each item's start."""
    found, total = [], 0
    for item in items:
        found.append(total)
        total += int(item.service.duration.total_seconds())
    return found


def inside(spans: list[Span], t: int) -> bool:
    i = bisect.bisect_right(spans, (t, 2**62)) - 1
    return i >= 0 and spans[i][0] <= t < spans[i][1]


def collide(first: Sequence[Span], second: Sequence[Span]) -> bool:
    return any(a < d and c < b for a, b in first for c, d in second)


def assign(t: int, items: Sequence[VisitItem], candidates: Sequence[Sequence], *, keep: Sequence = ()) -> list | None:
    """A staff member per item (from each item's `candidates`, in preference order) such that
    no one's busy pieces of two items overlap: the item's stylist in `keep` (a visit being
    moved) first, then the previous item's, then the rest. None: none."""
    starts = [t + offset for offset in offsets(items)]
    pieces = [
        [(start + a, start + b) for a, b in item.service.staff_pieces()]
        for item, start in zip(items, starts, strict=True)
    ]
    chosen: list = []

    def extend(k: int) -> bool:
        if k == len(items):
            return True
        order = list(candidates[k])
        for preferred in (chosen[-1] if chosen else None, keep[k] if k < len(keep) else None):
            if preferred in order:
                order.remove(preferred)
                order.insert(0, preferred)
        for staff_id in order:
            if any(other == staff_id and collide(pieces[j], pieces[k]) for j, other in enumerate(chosen)):
                continue
            chosen.append(staff_id)
            if extend(k + 1):
                return True
            chosen.pop()
        return False

    return list(chosen) if extend(0) else None


class VisitPlanner:
    """The free starts of each item, computed once for a run of days: `slots()` lists the
    visit starts, `candidates(t)` says who could do each item of a visit starting at `t`."""

    def __init__(
        self,
        items: Sequence[VisitItem],
        *,
        slot_interval: timedelta,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        resources: Sequence[ResourceTime] = (),
    ):
        self.items = items
        self.starts_at = offsets(items)
        within = [
            resource_starts(resources, kinds=item.service.resource_kinds, duration=seconds_of(item.service.duration))
            if item.service.resource_kinds
            else None
            for item in items
        ]
        # The first item: on its stylist's grid, in the window.
        self.first: dict[int, list] = {}
        for member in items[0].staff:
            for t in free_starts(
                member,
                service=items[0].service,
                slot_interval=slot_interval,
                not_before=not_before,
                not_after=not_after,
                within=within[0],
            ):
                self.first.setdefault(t, []).append(member.staff_id)
        # Later items: any minute at which they fit.
        self.later = [
            [
                (
                    member.staff_id,
                    allowed_starts(
                        member,
                        duration=seconds_of(item.service.duration),
                        pieces=item.service.staff_pieces(),
                        lowest=None,
                        highest=None,
                        within=within[k],
                    ),
                )
                for member in item.staff
            ]
            for k, item in enumerate(items)
            if k > 0
        ]

    def candidates(self, t: int) -> list[list]:
        """For each item of a visit starting at `t`, the staff free for it then (in order)."""
        found = [self.first.get(t, [])]
        for k, members in enumerate(self.later, start=1):
            found.append([staff_id for staff_id, spans in members if inside(spans, t + self.starts_at[k])])
        return found

    def slot_at(self, t: int) -> VisitSlot | None:
        candidates = self.candidates(t)
        if not all(candidates) or assign(t, self.items, candidates) is None:
            return None
        item_slots = []
        for item, offset, staff_ids in zip(self.items, self.starts_at, candidates, strict=True):
            start = datetime.fromtimestamp(t + offset, UTC)
            item_slots.append(ItemSlot(start=start, end=start + item.service.duration, staff_ids=tuple(staff_ids)))
        return VisitSlot(start=item_slots[0].start, end=item_slots[-1].end, items=tuple(item_slots))

    def slots(self) -> list[VisitSlot]:
        """Every visit start at which each item can be placed (some choice of the listed staff
        works together), in time order."""
        return [slot for t in sorted(self.first) if (slot := self.slot_at(t)) is not None]


def seconds_of(duration: timedelta) -> int:
    return int(duration.total_seconds())
