"""The pure engine: examples, then properties checked against a brute-force reading of DESIGN §4."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from booking.availability import ServiceShape, StaffTime, free_slots, intersect_hours, span, working_shifts

DAY = datetime(2030, 1, 7, tzinfo=UTC)  # a Monday
MIN = timedelta(minutes=1)


def at(hour: int, minute: int = 0) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute)


def starts(slots) -> list[str]:
    return [f"{s.start:%H:%M}" for s in slots]


def test_grid_runs_from_each_shift_start_and_the_service_must_fit():
    staff = StaffTime("ana", shifts=[span(at(9), at(10, 10))])
    slots = free_slots([staff], service=ShapeMin(30), slot_interval=timedelta(minutes=15))
    assert starts(slots) == ["09:00", "09:15", "09:30"]
    assert slots[0].end == at(9, 30)
    assert slots[0].staff_ids == ("ana",)


def ShapeMin(minutes: int, before: int = 0, after: int = 0) -> ServiceShape:
    return ServiceShape(timedelta(minutes=minutes), timedelta(minutes=before), timedelta(minutes=after))


def test_time_off_removes_grid_points_without_shifting_the_grid():
    staff = StaffTime("ana", shifts=[span(at(9), at(12))], time_off=[span(at(9), at(10, 5))])
    slots = free_slots([staff], service=ShapeMin(30), slot_interval=timedelta(minutes=15))
    assert starts(slots)[0] == "10:15"  # not 10:05


def test_buffers_must_clear_busy_time_but_may_reach_outside_working_time():
    staff = StaffTime("ana", shifts=[span(at(9), at(11))], busy=[span(at(10), at(10, 30))])
    slots = free_slots([staff], service=ShapeMin(30, before=10, after=10), slot_interval=timedelta(minutes=15))
    # 09:00: its buffer reaches 08:50, before opening, which is fine. 09:15 blocks until 09:55.
    # 09:30 would block until 10:10, into the busy time; 10:30's buffer before starts at 10:20,
    # inside it; 10:45 + 30 min leaves working time.
    assert starts(slots) == ["09:00", "09:15"]


def test_back_to_back_is_allowed():
    staff = StaffTime("ana", shifts=[span(at(9), at(11))], busy=[span(at(9), at(10))])
    assert starts(free_slots([staff], service=ShapeMin(60), slot_interval=timedelta(minutes=15))) == ["10:00"]


def test_notice_and_horizon_bound_the_starts():
    staff = StaffTime("ana", shifts=[span(at(9), at(12))])
    slots = free_slots(
        [staff], service=ShapeMin(30), slot_interval=timedelta(minutes=30), not_before=at(9, 10), not_after=at(11)
    )
    assert starts(slots) == ["09:30", "10:00", "10:30"]


def test_slots_list_every_free_staff_member_in_input_order():
    ana = StaffTime("ana", shifts=[span(at(9), at(10))])
    ben = StaffTime("ben", shifts=[span(at(9), at(10))], busy=[span(at(9), at(9, 30))])
    slots = free_slots([ana, ben], service=ShapeMin(30), slot_interval=timedelta(minutes=30))
    assert [(f"{s.start:%H:%M}", s.staff_ids) for s in slots] == [("09:00", ("ana",)), ("09:30", ("ana", "ben"))]


def test_adjacent_shifts_form_one_working_block():
    staff = StaffTime("ana", shifts=[span(at(9), at(10)), span(at(10), at(11))])
    assert "09:45" in starts(free_slots([staff], service=ShapeMin(30), slot_interval=timedelta(minutes=15)))


def test_intersect_hours_keeps_only_the_overlap():
    lunch = [(time(9), time(13)), (time(14), time(18))]
    assert intersect_hours(lunch, [(time(10), time(17))]) == [(time(10), time(13)), (time(14), time(17))]


def test_working_shifts_keep_local_wall_clock_across_dst():
    london = ZoneInfo("Europe/London")
    weekly = {d: [(time(9), time(18))] for d in range(7)}
    shifts = working_shifts(weekly, weekly, first_day=date(2027, 3, 27), days=3, zone=london)
    starts = [datetime.fromtimestamp(start, UTC) for start, _ in shifts]
    assert [s.astimezone(london).strftime("%d %H:%M %Z") for s in starts] == [
        "27 09:00 GMT",
        "28 09:00 BST",
        "29 09:00 BST",
    ]
    assert [s.hour for s in starts] == [9, 8, 8]  # in UTC


def test_a_nonexistent_local_time_is_read_with_the_offset_before_the_change():
    london = ZoneInfo("Europe/London")
    weekly = {6: [(time(1, 30), time(3))]}  # 01:00-02:00 does not exist on 2027-03-28
    (shift,) = working_shifts(weekly, weekly, first_day=date(2027, 3, 28), days=1, zone=london)
    assert shift == span(datetime(2027, 3, 28, 1, 30, tzinfo=UTC), datetime(2027, 3, 28, 2, tzinfo=UTC))
    # that is 02:30 to 03:00 BST


# --- properties -------------------------------------------------------------------------

minutes = st.integers(min_value=0, max_value=16 * 60)


@st.composite
def intervals(draw, max_size=4, min_length=5, max_length=240):
    result = []
    for _ in range(draw(st.integers(0, max_size))):
        start = draw(minutes)
        result.append((start, start + draw(st.integers(min_length, max_length))))
    return result


@st.composite
def scenarios(draw):
    return {
        "shifts": draw(intervals(max_size=3, min_length=15, max_length=9 * 60)),
        "time_off": draw(intervals(max_size=2)),
        "busy": draw(intervals(max_size=5)),
        "duration": draw(st.integers(5, 150)),
        "before": draw(st.sampled_from([0, 5, 10, 15])),
        "after": draw(st.sampled_from([0, 5, 10, 15])),
        "step": draw(st.sampled_from([5, 10, 15, 20, 30, 45, 60])),
        "not_before": draw(st.one_of(st.none(), minutes)),
        "not_after": draw(st.one_of(st.none(), minutes)),
    }


def as_intervals(pairs):
    return [span(DAY + m * MIN, DAY + n * MIN) for m, n in pairs]


def brute_force_starts(s) -> set[int]:
    """DESIGN §4 read literally, minute by minute."""
    working = {m for a, b in s["shifts"] for m in range(a, b)} - {m for a, b in s["time_off"] for m in range(a, b)}
    busy = {m for a, b in s["busy"] for m in range(a, b)}
    free = set()
    for a, b in s["shifts"]:
        for t in range(a, b, s["step"]):
            inside = all(m in working for m in range(t, t + s["duration"]))
            clear = not any(m in busy for m in range(t - s["before"], t + s["duration"] + s["after"]))
            in_window = (s["not_before"] is None or t >= s["not_before"]) and (
                s["not_after"] is None or t < s["not_after"]
            )
            if inside and clear and in_window:
                free.add(t)
    return free


def run(s):
    staff = StaffTime("ana", as_intervals(s["shifts"]), as_intervals(s["time_off"]), as_intervals(s["busy"]))
    return free_slots(
        [staff],
        service=ShapeMin(s["duration"], s["before"], s["after"]),
        slot_interval=timedelta(minutes=s["step"]),
        not_before=None if s["not_before"] is None else DAY + s["not_before"] * MIN,
        not_after=None if s["not_after"] is None else DAY + s["not_after"] * MIN,
    )


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_offered_slots_are_exactly_the_free_grid_starts(s):
    offered = [int((slot.start - DAY) / MIN) for slot in run(s)]
    assert offered == sorted(offered)  # time order, no duplicates
    assert len(offered) == len(set(offered))
    assert set(offered) == brute_force_starts(s)


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_no_offered_slot_leaves_working_time_or_touches_busy_time(s):
    for slot in run(s):
        assert slot.end - slot.start == timedelta(minutes=s["duration"])
        t = int((slot.start - DAY) / MIN)
        assert all(any(a <= m < b for a, b in s["shifts"]) for m in range(t, t + s["duration"]))
        blocked = (slot.start - s["before"] * MIN, slot.end + s["after"] * MIN)
        for a, b in s["busy"]:
            assert not (blocked[0] < DAY + b * MIN and DAY + a * MIN < blocked[1])
        for a, b in s["time_off"]:
            assert not (slot.start < DAY + b * MIN and DAY + a * MIN < slot.end)


@settings(max_examples=100, deadline=None)
@given(scenarios(), scenarios())
def test_each_slot_lists_exactly_the_staff_free_then(first, second):
    second = {**second, **{k: first[k] for k in ("duration", "before", "after", "step", "not_before", "not_after")}}
    ana = StaffTime("ana", as_intervals(first["shifts"]), as_intervals(first["time_off"]), as_intervals(first["busy"]))
    ben = StaffTime(
        "ben", as_intervals(second["shifts"]), as_intervals(second["time_off"]), as_intervals(second["busy"])
    )
    slots = free_slots(
        [ana, ben],
        service=ShapeMin(first["duration"], first["before"], first["after"]),
        slot_interval=timedelta(minutes=first["step"]),
        not_before=None if first["not_before"] is None else DAY + first["not_before"] * MIN,
        not_after=None if first["not_after"] is None else DAY + first["not_after"] * MIN,
    )
    free_ana, free_ben = brute_force_starts(first), brute_force_starts(second)
    for slot in slots:
        t = int((slot.start - DAY) / MIN)
        assert slot.staff_ids == tuple(name for name, free in (("ana", free_ana), ("ben", free_ben)) if t in free)
    assert {int((s.start - DAY) / MIN) for s in slots} == free_ana | free_ben
