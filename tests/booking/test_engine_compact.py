"""Compact slot offering (issue 16): properties against a minute-by-minute reading of the rule."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from booking.availability import ServiceShape, StaffTime, free_slots, span
from booking.compact import compact_offer
from tests.booking.test_availability_engine import DAY, MIN, at, intervals, starts

UTC_ZONE = ZoneInfo("UTC")
QUARTER = timedelta(minutes=15)


def compact(staff, service, shortest_minutes):
    offer = compact_offer(service.staff_pieces(), shortest=shortest_minutes * 60, zone=UTC_ZONE)
    return free_slots(staff, service=service, slot_interval=QUARTER, offer=offer)


def test_a_start_leaving_a_15_minute_hole_is_not_offered():
    # Ana works 09:00-12:00 with a booking 10:00-11:00; the shortest service is 30 minutes.
    ana = StaffTime("ana", shifts=[span(at(9), at(12))], busy=[span(at(10), at(11))])
    cut = ServiceShape(timedelta(minutes=30))
    assert starts(free_slots([ana], service=cut, slot_interval=QUARTER)) == [
        "09:00",
        "09:15",
        "09:30",
        "11:00",
        "11:15",
        "11:30",
    ]
    # 09:15 leaves 15 minutes before it; 11:15 leaves 15 after it; 09:00 leaves 30 (bookable).
    assert starts(compact([ana], cut, 30)) == ["09:00", "09:30", "11:00", "11:30"]


def test_a_day_with_only_untidy_starts_offers_them_all():
    ana = StaffTime("ana", shifts=[span(at(9), at(10))])
    cut = ServiceShape(timedelta(minutes=45))
    # Every start leaves a 15-minute hole (shortest service 30): rather that than nothing.
    assert starts(compact([ana], cut, 30)) == ["09:00", "09:15"]


def test_touching_a_processing_window_counts_as_touching():
    # A colour 09:00-10:30 developing 09:30-10:15: Ana is free in the window.
    ana = StaffTime("ana", shifts=[span(at(9), at(12))], busy=[span(at(9), at(9, 30)), span(at(10, 15), at(10, 30))])
    blow_dry = ServiceShape(timedelta(minutes=30))
    offered = starts(compact([ana], blow_dry, 15))
    assert "09:30" in offered and "09:45" in offered  # each leaves 0 or 15 minutes


# --- properties -------------------------------------------------------------------------


@st.composite
def scenarios(draw):
    duration = draw(st.integers(10, 120))
    return {
        "shifts": draw(intervals(max_size=3, min_length=15, max_length=9 * 60)),
        "time_off": draw(intervals(max_size=2)),
        "busy": draw(intervals(max_size=5)),
        "duration": duration,
        "before": draw(st.sampled_from([0, 5, 10])),
        "after": draw(st.sampled_from([0, 5, 10])),
        "step": draw(st.sampled_from([5, 10, 15, 30])),
        "shortest": draw(st.integers(5, duration)),
    }


def as_spans(pairs):
    return [span(DAY + m * MIN, DAY + n * MIN) for m, n in pairs]


def run(s, *, compact_mode: bool):
    shape = ServiceShape(s["duration"] * MIN, s["before"] * MIN, s["after"] * MIN)
    staff = StaffTime("ana", as_spans(s["shifts"]), as_spans(s["time_off"]), as_spans(s["busy"]))
    offer = compact_offer(shape.staff_pieces(), shortest=s["shortest"] * 60, zone=UTC_ZONE) if compact_mode else None
    return [
        int((slot.start - DAY) / MIN)
        for slot in free_slots([staff], service=shape, slot_interval=s["step"] * MIN, offer=offer)
    ]


def leaves_a_short_hole(s, t: int) -> bool:
    """Minute by minute: the stylist's free run around the booking, less the booking itself."""
    working = {m for a, b in s["shifts"] for m in range(a, b)} - {m for a, b in s["time_off"] for m in range(a, b)}
    free = working - {m for a, b in s["busy"] for m in range(a, b)}
    first, last = t - s["before"], t + s["duration"] + s["after"]
    low = t
    while low - 1 in free:
        low -= 1
    high = t
    while high in free:
        high += 1
    holes = (max(0, first - low), max(0, high - last))
    return any(0 < hole < s["shortest"] for hole in holes)


def day(t: int) -> int:
    return t // (24 * 60)


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_compact_offers_are_all_offers_less_those_leaving_short_holes(s):
    every, offered = run(s, compact_mode=False), run(s, compact_mode=True)
    assert set(offered) <= set(every)
    for d in {day(t) for t in every}:
        on_day = [t for t in every if day(t) == d]
        tidy = [t for t in on_day if not leaves_a_short_hole(s, t)]
        # Never empty when all is not; exactly the tidy starts, unless there are none.
        assert [t for t in offered if day(t) == d] == (tidy or on_day)
