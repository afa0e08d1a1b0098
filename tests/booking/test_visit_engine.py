"""The visit planner against a minute-by-minute reading of DESIGN §10 (hypothesis)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from booking.availability import ServiceShape, StaffTime
from booking.visit_engine import VisitItem, VisitPlanner
from tests.booking.test_availability_engine import DAY, MIN, intervals
from tests.booking.test_engine_processing_resources import as_spans


@st.composite
def stylists(draw):
    return {
        "shifts": draw(intervals(max_size=2, min_length=30, max_length=9 * 60)),
        "time_off": draw(intervals(max_size=1)),
        "busy": draw(intervals(max_size=4)),
    }


@st.composite
def services(draw):
    return {
        "duration": draw(st.integers(10, 90)),
        "before": draw(st.sampled_from([0, 5, 10])),
        "after": draw(st.sampled_from([0, 5, 10])),
    }


def busy_minutes(service, t):
    return set(range(t - service["before"], t + service["duration"] + service["after"]))


def fits(stylist, service, t) -> bool:
    working = {m for a, b in stylist["shifts"] for m in range(a, b)} - {
        m for a, b in stylist["time_off"] for m in range(a, b)
    }
    busy = {m for a, b in stylist["busy"] for m in range(a, b)}
    return all(m in working for m in range(t, t + service["duration"])) and not busy_minutes(service, t) & busy


def on_grid(stylist, t, step) -> bool:
    return any(a <= t < b and (t - a) % step == 0 for a, b in stylist["shifts"])


def shape(service) -> ServiceShape:
    return ServiceShape(service["duration"] * MIN, service["before"] * MIN, service["after"] * MIN)


@settings(max_examples=300, deadline=None)
@given(stylists(), stylists(), services(), services(), st.sampled_from([10, 15, 30]))
def test_visit_starts_are_exactly_those_where_both_items_can_be_placed(ana, ben, first, second, step):
    team = {"ana": ana, "ben": ben}
    times = [
        StaffTime(name, as_spans(s["shifts"]), as_spans(s["time_off"]), as_spans(s["busy"]))
        for name, s in team.items()
    ]
    planner = VisitPlanner([VisitItem(shape(first), times), VisitItem(shape(second), times)], slot_interval=step * MIN)
    offered = {int((slot.start - DAY) / MIN): slot for slot in planner.slots()}

    expected = {}
    candidates = {t for s in team.values() for a, b in s["shifts"] for t in range(a, b)}
    for t in sorted(candidates):
        u = t + first["duration"]
        doers_first = [n for n, s in team.items() if on_grid(s, t, step) and fits(s, first, t)]
        doers_second = [n for n, s in team.items() if fits(s, second, u)]
        together = any(
            one != two or not busy_minutes(first, t) & busy_minutes(second, u)
            for one in doers_first
            for two in doers_second
        )
        if doers_first and doers_second and together:
            expected[t] = (tuple(doers_first), tuple(doers_second))
    assert set(offered) == set(expected)
    for t, slot in offered.items():
        assert (slot.items[0].staff_ids, slot.items[1].staff_ids) == expected[t]
        assert slot.items[1].start == slot.items[0].end
