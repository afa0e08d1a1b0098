"""A reusable generator of a busy salon for benchmarks.

`salon_spec(...)` is pure data (deterministic for a seed): staff with weekly hours (Mon-Sat,
some with a lunch break, some starting later), 8 services of 15-120 minutes, and
appointments filling about `booked_share` of working time over `days` days. The same spec
loads into Chairtime (`load_spec`, here) and into django-appointment (`bench/peer/load.py`),
so both systems answer for the same salon. `build_salon` = spec + load, for Chairtime-only
benchmarks. Appointments are bulk-inserted (the exclusion constraint still checks each row).
"""

import random
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from booking.models import Appointment
from businesses.models import Business, OpeningHours, Service, StaffMember, WorkingHours
from customers.models import CustomerAccount

SERVICE_MINUTES = [15, 30, 45, 45, 60, 75, 90, 120]
ZONE = "Europe/London"
WEEK_SHAPES = [
    [("09:00", "18:00")],
    [("09:00", "13:00"), ("14:00", "18:00")],
    [("11:00", "18:00")],
    [("09:00", "15:00")],
]
MON_TO_SAT = range(6)


@dataclass
class SalonSpec:
    staff: int
    days: int
    first_day: str  # ISO date, the salon's local "today"
    service_minutes: list[int]
    buffer_after: list[int]  # per service
    hours: list[list[tuple[str, str]]]  # per staff: intervals on every day Mon-Sat
    # (staff index, ISO date, "HH:MM" local start, service index)
    appointments: list[tuple[int, str, str, int]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def salon_spec(
    *,
    staff: int = 10,
    days: int = 14,
    booked_share: float = 0.6,
    seed: int = 1,
    lunch_breaks: bool = True,
    buffers: bool = True,
    first_day: date | None = None,
) -> SalonSpec:
    rng = random.Random(seed)
    first_day = first_day or timezone.localdate(timezone=ZoneInfo(ZONE))
    shapes = WEEK_SHAPES if lunch_breaks else [[("09:00", "18:00")]]
    spec = SalonSpec(
        staff=staff,
        days=days,
        first_day=first_day.isoformat(),
        service_minutes=SERVICE_MINUTES,
        buffer_after=[5 if buffers and i % 2 else 0 for i in range(len(SERVICE_MINUTES))],
        hours=[shapes[i % len(shapes)] for i in range(staff)],
    )
    for member in range(staff):
        for offset in range(days):
            day = first_day + timedelta(days=offset)
            if day.weekday() == 6:
                continue
            for start, end in spec.hours[member]:
                spec.appointments += fill_interval(spec, member, day, start, end, booked_share, rng)
    return spec


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def fill_interval(spec: SalonSpec, member: int, day: date, start: str, end: str, booked_share: float, rng):
    """Appointments back to back with random gaps on the 15-minute grid: ~booked_share booked."""
    cursor, close, placed = minutes(start), minutes(end), []
    while True:
        service = rng.randrange(len(spec.service_minutes))
        length = spec.service_minutes[service]
        if rng.random() > booked_share:
            cursor += 15 * rng.randint(1, 4)  # a gap
            if cursor + length > close:
                return placed
            continue
        if cursor + length + spec.buffer_after[service] > close:
            return placed
        placed.append((member, day.isoformat(), f"{cursor // 60:02d}:{cursor % 60:02d}", service))
        cursor += length + spec.buffer_after[service]
        cursor += -cursor % 15


def load_spec(spec: SalonSpec, *, name: str) -> tuple[Business, list[Service]]:
    """Create the salon of `spec` in Chairtime."""
    business = Business.objects.create(
        name=name,
        slug=f"bench-{spec.staff}-{spec.days}-{random.randrange(10**9)}",
        timezone=ZONE,
        max_advance_days=max(spec.days, 60),
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(business=business, weekday=d, start=time(9), end=time(18)) for d in MON_TO_SAT
    )
    services = Service.objects.bulk_create(
        Service(
            business=business,
            name=f"Service {length} min #{i}",
            duration=timedelta(minutes=length),
            price=Decimal(length),
            buffer_after=timedelta(minutes=spec.buffer_after[i]),
            position=i,
        )
        for i, length in enumerate(spec.service_minutes)
    )
    members = StaffMember.objects.bulk_create(
        StaffMember(business=business, name=f"Stylist {i + 1}", position=i) for i in range(spec.staff)
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(staff=member, weekday=d, start=time.fromisoformat(start), end=time.fromisoformat(end))
        for member, intervals in zip(members, spec.hours, strict=True)
        for d in MON_TO_SAT
        for start, end in intervals
    )
    for service in services:
        service.staff.set(members)
    customer, _ = CustomerAccount.objects.get_or_create(email="bench@example.com")
    zone = business.zone
    rows = []
    for member, day, start, service_index in spec.appointments:
        service = services[service_index]
        begins = datetime.combine(date.fromisoformat(day), time.fromisoformat(start), tzinfo=zone)
        appointment = Appointment(
            business=business,
            customer=customer,
            staff=members[member],
            service=service,
            price=service.price,
            source=Appointment.Source.ADMIN,
        )
        appointment.set_times(begins, service.duration, service.buffer_before, service.buffer_after)
        rows.append(appointment)
    Appointment.objects.bulk_create(rows, batch_size=2000)
    return business, services


def build_salon(
    *,
    staff: int = 10,
    days: int = 14,
    booked_share: float = 0.6,
    seed: int = 1,
    name: str | None = None,
    lunch_breaks: bool = True,
    buffers: bool = True,
):
    spec = salon_spec(
        staff=staff,
        days=days,
        booked_share=booked_share,
        seed=seed,
        lunch_breaks=lunch_breaks,
        buffers=buffers,
        first_day=timezone.localdate(timezone=ZoneInfo(ZONE)),
    )
    return load_spec(spec, name=name or f"Bench salon {staff}x{days}")


def booked_share_of(business: Business, *, days: int) -> float:
    """Booked time (with buffers) over working time in the generated range."""
    booked = sum(
        (a.blocked_range.upper - a.blocked_range.lower for a in business.appointments.only("blocked_range")),
        timedelta(0),
    )
    today = timezone.localdate(timezone=business.zone)
    working = timedelta(0)
    for hours in WorkingHours.objects.filter(staff__business=business):
        for offset in range(days):
            if (today + timedelta(days=offset)).weekday() == hours.weekday:
                working += datetime.combine(today, hours.end) - datetime.combine(today, hours.start)
    return booked / working if working else 0.0
