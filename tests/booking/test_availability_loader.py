"""Availability over real rows: hours, time off, closures, bookings, policy, DST, query counts."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from booking.errors import BookingInvalid
from booking.selectors import MEMBER_WINDOW, available_slots, customer_window
from businesses.models import TimeOff, WorkingHours
from tests.factories import (
    BusinessFactory,
    ServiceFactory,
    StaffMemberFactory,
    make_appointment,
    open_all_week,
)

MONDAY = date(2030, 3, 4)  # Europe/London is on GMT then: local = UTC


def local(day: date, hour: int, minute: int = 0, zone=None) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone or UTC)


def times(slots, zone=UTC) -> list[str]:
    return [s.start.astimezone(zone).strftime("%H:%M") for s in slots]


def slots_for(salon, service, day=MONDAY, **kwargs):
    kwargs.setdefault("window", MEMBER_WINDOW)
    return available_slots(salon, service, first_day=day, **kwargs)


def test_a_lunch_break_splits_the_day(salon, staff, services):
    cut = services[0]
    ana = staff[0]
    WorkingHours.objects.filter(staff=ana, weekday=0).delete()
    WorkingHours.objects.create(staff=ana, weekday=0, start=time(9), end=time(13))
    WorkingHours.objects.create(staff=ana, weekday=0, start=time(14), end=time(18))
    offered = times(slots_for(salon, cut, staff=ana))
    assert "12:30" in offered and "12:45" not in offered and "13:00" not in offered
    assert "13:45" not in offered and "14:00" in offered


def test_working_hours_are_cut_to_opening_hours(salon, staff, services):
    ana = staff[0]
    WorkingHours.objects.filter(staff=ana, weekday=0).update(start=time(7), end=time(20))
    offered = times(slots_for(salon, services[0], staff=ana))
    assert offered[0] == "09:00" and offered[-1] == "17:30"


def test_time_off_spanning_days_and_ending_off_grid_does_not_shift_the_grid(salon, staff, services):
    ana = staff[0]
    TimeOff.objects.create(
        business=salon, staff=ana, start=local(MONDAY, 15), end=local(MONDAY + timedelta(days=1), 10, 5)
    )
    monday = times(slots_for(salon, services[0], staff=ana))
    tuesday = times(slots_for(salon, services[0], day=MONDAY + timedelta(days=1), staff=ana))
    assert monday[-1] == "14:30"
    assert tuesday[0] == "10:15"


def test_a_closure_removes_every_staff_member(salon, staff, services):
    TimeOff.objects.create(business=salon, staff=None, start=local(MONDAY, 0), end=local(MONDAY, 23, 59))
    assert slots_for(salon, services[0]) == []
    assert slots_for(salon, services[0], day=MONDAY + timedelta(days=1))


def test_buffers_may_reach_past_opening_and_closing(salon, staff, services):
    colour = services[1]  # 90 min, 10 before, 15 after
    offered = times(slots_for(salon, colour, staff=staff[0]))
    assert offered[0] == "09:00" and offered[-1] == "16:30"


def test_minimum_notice_and_horizon(salon, staff, services):
    salon.min_notice_minutes = 60
    salon.max_advance_days = 2
    now = local(MONDAY, 9, 20)
    window = customer_window(salon, now=now)
    assert times(slots_for(salon, services[0], window=window))[0] == "10:30"
    assert slots_for(salon, services[0], day=MONDAY + timedelta(days=2), window=window)
    assert slots_for(salon, services[0], day=MONDAY + timedelta(days=3), window=window) == []


def test_a_past_day_has_no_slots_for_customers(salon, staff, services):
    window = customer_window(salon, now=local(MONDAY, 12))
    assert slots_for(salon, services[0], day=MONDAY - timedelta(days=7), window=window) == []


def test_slot_interval_need_not_divide_the_duration(salon, staff, services):
    salon.slot_interval_minutes = 20
    service = ServiceFactory(business=salon, duration=timedelta(minutes=45))
    service.staff.set(staff)
    offered = times(slots_for(salon, service))
    assert offered[:3] == ["09:00", "09:20", "09:40"]
    assert offered[-1] == "17:00"


def test_staff_filter_and_any_staff(salon, staff, services):
    ana, ben = staff
    make_appointment(staff=ana, service=services[0], customer=_customer(), start=local(MONDAY, 9))
    anyone = slots_for(salon, services[0])
    assert anyone[0].staff_ids == (ben.pk,)
    assert anyone[2].staff_ids == (ana.pk, ben.pk)  # 09:30
    only_ana = slots_for(salon, services[0], staff=ana)
    assert {s.staff_ids for s in only_ana} == {(ana.pk,)}
    assert times(only_ana)[0] == "09:30"  # back-to-back after her 09:00-09:30


def _customer():
    from tests.factories import CustomerFactory

    return CustomerFactory()


def test_inactive_staff_and_services_offer_nothing(salon, staff, services):
    ana, ben = staff
    ben.is_active = False
    ben.save()
    assert {s.staff_ids for s in slots_for(salon, services[0])} == {(ana.pk,)}
    services[0].is_active = False
    services[0].save()
    assert slots_for(salon, services[0]) == []


def test_staff_who_do_not_perform_the_service_are_not_offered(salon, staff, services):
    consult = services[2]  # only Ana
    assert {s.staff_ids for s in slots_for(salon, consult)} == {(staff[0].pk,)}


def test_cancelled_appointments_free_their_time(salon, staff, services):
    ana = staff[0]
    appointment = make_appointment(staff=ana, service=services[0], customer=_customer(), start=local(MONDAY, 9))
    assert "09:00" not in times(slots_for(salon, services[0], staff=ana))
    appointment.status = "cancelled"
    appointment.save()
    assert "09:00" in times(slots_for(salon, services[0], staff=ana))


def test_more_than_62_days_is_refused(salon, staff, services):
    with pytest.raises(BookingInvalid) as error:
        slots_for(salon, services[0], days=63)
    assert "days" in error.value.fields


@pytest.mark.parametrize(
    ("zone", "days"),
    [
        # Europe/London springs forward on Sunday 2027-03-28 and falls back on 2027-10-31.
        ("Europe/London", [date(2027, 3, 27), date(2027, 3, 29), date(2027, 10, 30), date(2027, 11, 1)]),
        # Africa/Cairo changes at midnight into a Friday (2027-04-30) and out of one (2027-10-29).
        ("Africa/Cairo", [date(2027, 4, 29), date(2027, 4, 30), date(2027, 10, 28), date(2027, 10, 29)]),
    ],
)
def test_local_slot_times_are_the_same_on_both_sides_of_a_dst_change(db, zone, days):
    from zoneinfo import ZoneInfo

    business = BusinessFactory(timezone=zone)
    member = StaffMemberFactory(business=business)
    service = ServiceFactory(business=business, duration=timedelta(minutes=60), price=Decimal(10))
    service.staff.set([member])
    open_all_week(business, member)
    tz = ZoneInfo(zone)
    expected = [f"{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 15, 30, 45)] + ["17:00"]
    offsets = set()
    for day in days:
        slots = available_slots(business, service, first_day=day, window=MEMBER_WINDOW)
        assert times(slots, tz) == expected, day
        assert {s.start.astimezone(tz).date() for s in slots} == {day}
        offsets.add(slots[0].start.astimezone(tz).utcoffset())
    assert len(offsets) == 2  # both sides of the change were really exercised


def test_a_multi_day_range_across_dst_keeps_local_times(db):
    from zoneinfo import ZoneInfo

    business = BusinessFactory(timezone="Europe/London")
    member = StaffMemberFactory(business=business)
    service = ServiceFactory(business=business, duration=timedelta(minutes=60))
    service.staff.set([member])
    open_all_week(business, member)
    slots = available_slots(business, service, first_day=date(2027, 3, 26), days=4, window=MEMBER_WINDOW)
    london = ZoneInfo("Europe/London")
    firsts = {}
    for slot in slots:
        firsts.setdefault(slot.start.astimezone(london).date(), slot.start.astimezone(london).strftime("%H:%M"))
    assert firsts == {date(2027, 3, 26): "09:00", date(2027, 3, 27): "09:00", date(2027, 3, 29): "09:00"}


@pytest.mark.parametrize(("staff_count", "days"), [(1, 1), (10, 1), (1, 30), (10, 30)])
def test_the_loader_uses_a_constant_number_of_queries(db, django_assert_max_num_queries, staff_count, days):
    business = BusinessFactory()
    members = [StaffMemberFactory(business=business) for _ in range(staff_count)]
    service = ServiceFactory(business=business)
    service.staff.set(members)
    open_all_week(business, *members)
    for index, member in enumerate(members):
        make_appointment(staff=member, service=service, customer=_customer(), start=local(MONDAY, 9 + index % 8))
        TimeOff.objects.create(business=business, staff=member, start=local(MONDAY, 17), end=local(MONDAY, 18))
    with django_assert_max_num_queries(2):
        slots = available_slots(business, service, first_day=MONDAY, days=days, window=MEMBER_WINDOW)
    assert slots
