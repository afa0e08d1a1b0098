"""The engine with processing windows and resources (DESIGN §10): examples, then properties
against a minute-by-minute reading of the rules."""

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from booking.availability import ResourceTime, ServiceShape, StaffTime, free_resources_at, free_slots, span
from tests.booking.test_availability_engine import DAY, MIN, at, intervals, minutes, starts

QUARTER = timedelta(minutes=15)


def colour(**extra) -> ServiceShape:
    """90 minutes in the chair; the colour develops for 45 of them, from minute 30."""
    return ServiceShape(
        timedelta(minutes=90),
        processing_offset=timedelta(minutes=30),
        processing_duration=timedelta(minutes=45),
        **extra,
    )


def test_a_short_service_fits_into_the_processing_window():
    # Ana applied a colour at 09:00: she is busy 09:00-09:30 and 10:15-10:30.
    ana = StaffTime("ana", shifts=[span(at(9), at(12))], busy=[span(at(9), at(9, 30)), span(at(10, 15), at(10, 30))])
    cut = ServiceShape(timedelta(minutes=30))
    assert starts(free_slots([ana], service=cut, slot_interval=QUARTER))[:3] == ["09:30", "09:45", "10:30"]


def test_a_processing_service_leaves_its_window_to_other_clients():
    ana = StaffTime("ana", shifts=[span(at(9), at(12))], busy=[span(at(9, 30), at(10, 15))])
    # 09:00: busy 09:00-09:30 and 10:15-10:30, developing in between, around the other client.
    assert "09:00" in starts(free_slots([ana], service=colour(), slot_interval=QUARTER))
    # Without the window the same colour collides.
    whole = ServiceShape(timedelta(minutes=90))
    assert "09:00" not in starts(free_slots([ana], service=whole, slot_interval=QUARTER))


def test_buffers_stay_with_the_staff_members_pieces():
    pieces = colour(buffer_before=timedelta(minutes=5), buffer_after=timedelta(minutes=10)).staff_pieces()
    assert pieces == [(-5 * 60, 30 * 60), (75 * 60, 100 * 60)]
    whole = ServiceShape(timedelta(minutes=60), processing_duration=timedelta(minutes=60)).staff_pieces()
    assert whole == []  # the whole service develops: the staff member is never busy


def test_a_service_needing_a_basin_is_offered_only_while_one_is_free():
    ana = StaffTime("ana", shifts=[span(at(9), at(11))])
    basins = [
        ResourceTime("basin-1", "basin", busy=[span(at(9), at(10))]),
        ResourceTime("basin-2", "basin", busy=[span(at(9), at(9, 30))]),
        ResourceTime("room", "room"),
    ]
    wash = ServiceShape(timedelta(minutes=30), resource_kinds=("basin",))
    assert starts(free_slots([ana], service=wash, slot_interval=QUARTER, resources=basins)) == [
        "09:30",
        "09:45",
        "10:00",
        "10:15",
        "10:30",
    ]
    facial = ServiceShape(timedelta(minutes=30), resource_kinds=("basin", "room"))
    assert starts(free_slots([ana], service=facial, slot_interval=QUARTER, resources=basins[:1])) == []
    assert free_resources_at(basins, kinds=("basin",), start=at(9, 30), end=at(10)) == {"basin": ["basin-2"]}


# --- properties -------------------------------------------------------------------------


@st.composite
def scenarios(draw):
    duration = draw(st.integers(10, 150))
    offset = draw(st.integers(0, duration))
    processing = draw(st.one_of(st.just(0), st.integers(0, duration - offset)))
    return {
        "shifts": draw(intervals(max_size=3, min_length=15, max_length=9 * 60)),
        "time_off": draw(intervals(max_size=2)),
        "busy": draw(intervals(max_size=5)),
        "duration": duration,
        "offset": offset,
        "processing": processing,
        "before": draw(st.sampled_from([0, 5, 10])),
        "after": draw(st.sampled_from([0, 5, 10])),
        "step": draw(st.sampled_from([5, 10, 15, 30])),
        "not_before": draw(st.one_of(st.none(), minutes)),
        "basins": draw(st.one_of(st.none(), st.lists(intervals(max_size=3), max_size=3))),
    }


def as_spans(pairs):
    return [span(DAY + m * MIN, DAY + n * MIN) for m, n in pairs]


def staff_minutes(s, t: int) -> set[int]:
    if not s["processing"]:
        return set(range(t - s["before"], t + s["duration"] + s["after"]))
    gap_start, gap_end = t + s["offset"], t + s["offset"] + s["processing"]
    return set(range(t - s["before"], gap_start)) | set(range(gap_end, t + s["duration"] + s["after"]))


def brute_force_starts(s) -> set[int]:
    working = {m for a, b in s["shifts"] for m in range(a, b)} - {m for a, b in s["time_off"] for m in range(a, b)}
    busy = {m for a, b in s["busy"] for m in range(a, b)}
    free = set()
    for a, b in s["shifts"]:
        for t in range(a, b, s["step"]):
            inside = all(m in working for m in range(t, t + s["duration"]))
            clear = not staff_minutes(s, t) & busy
            basin = s["basins"] is None or any(
                not any(x < t + s["duration"] and t < y for x, y in basin) for basin in s["basins"]
            )
            in_window = s["not_before"] is None or t >= s["not_before"]
            if inside and clear and basin and in_window:
                free.add(t)
    return free


def run(s):
    shape = ServiceShape(
        s["duration"] * MIN,
        s["before"] * MIN,
        s["after"] * MIN,
        processing_offset=s["offset"] * MIN,
        processing_duration=s["processing"] * MIN,
        resource_kinds=() if s["basins"] is None else ("basin",),
    )
    basins = [ResourceTime(f"basin-{i}", "basin", as_spans(busy)) for i, busy in enumerate(s["basins"] or [])]
    staff = StaffTime("ana", as_spans(s["shifts"]), as_spans(s["time_off"]), as_spans(s["busy"]))
    return free_slots(
        [staff],
        service=shape,
        slot_interval=s["step"] * MIN,
        not_before=None if s["not_before"] is None else DAY + s["not_before"] * MIN,
        resources=basins,
    )


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_offered_slots_are_exactly_the_free_starts_with_processing_and_basins(s):
    offered = [int((slot.start - DAY) / MIN) for slot in run(s)]
    assert offered == sorted(set(offered))
    assert set(offered) == brute_force_starts(s)


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_each_offered_start_has_a_free_basin_to_assign(s):
    basins = [ResourceTime(f"basin-{i}", "basin", as_spans(busy)) for i, busy in enumerate(s["basins"] or [])]
    for slot in run(s):
        if s["basins"] is not None:
            assert free_resources_at(basins, kinds=("basin",), start=slot.start, end=slot.end)["basin"]
