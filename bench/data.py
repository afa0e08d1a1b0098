"""A reusable generator of a busy salon for benchmarks (the benchmarks issue extends it).

`build_salon(staff=10, days=14, booked_share=0.6)`: staff with realistic weekly hours
(Mon-Sat, some with a lunch break, some starting later), 8 services of 15-120 minutes,
and confirmed appointments filling about `booked_share` of every staff member's working
time over `days` days from today. Appointments are bulk-inserted (the exclusion
constraint still checks every row), so building 50 staff x 60 days takes seconds.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from booking.models import Appointment
from businesses.models import Business, OpeningHours, Service, StaffMember, WorkingHours
from customers.models import CustomerAccount

SERVICE_MINUTES = [15, 30, 45, 45, 60, 75, 90, 120]
WEEK_SHAPES = [
    [(time(9), time(18))],
    [(time(9), time(13)), (time(14), time(18))],
    [(time(11), time(18))],
    [(time(9), time(15))],
]


def build_salon(
    *,
    staff: int = 10,
    days: int = 14,
    booked_share: float = 0.6,
    seed: int = 1,
    name: str | None = None,
    lunch_breaks: bool = True,
    buffers: bool = True,
) -> tuple[Business, list[Service]]:
    rng = random.Random(seed)
    name = name or f"Bench salon {staff}x{days}"
    business = Business.objects.create(
        name=name,
        slug=f"bench-{staff}-{days}-{seed}-{rng.randrange(10**9)}",
        timezone="Europe/London",
        max_advance_days=max(days, 60),
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(business=business, weekday=d, start=time(9), end=time(18)) for d in range(6)
    )
    services = Service.objects.bulk_create(
        Service(
            business=business,
            name=f"Service {minutes} min #{i}",
            duration=timedelta(minutes=minutes),
            price=Decimal(minutes),
            buffer_after=timedelta(minutes=5 if buffers and i % 2 else 0),
            position=i,
        )
        for i, minutes in enumerate(SERVICE_MINUTES)
    )
    shapes = WEEK_SHAPES if lunch_breaks else [[(time(9), time(18))]]
    members = StaffMember.objects.bulk_create(
        StaffMember(business=business, name=f"Stylist {i + 1}", position=i) for i in range(staff)
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(staff=member, weekday=d, start=start, end=end)
        for i, member in enumerate(members)
        for d in range(6)
        for start, end in shapes[i % len(shapes)]
    )
    for service in services:
        service.staff.set(members)
    customer, _ = CustomerAccount.objects.get_or_create(email="bench@example.com")
    appointments = [
        appointment
        for i, member in enumerate(members)
        for appointment in fill_days(
            business, member, customer, services, shapes[i % len(shapes)], days, booked_share, rng
        )
    ]
    Appointment.objects.bulk_create(appointments, batch_size=2000)
    return business, services


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


def fill_days(business, member, customer, services, shape, days, booked_share, rng):
    """Place appointments back to back with random gaps so that ~booked_share is booked."""
    zone = business.zone
    today = timezone.localdate(timezone=zone)
    for offset in range(days):
        day: date = today + timedelta(days=offset)
        if day.weekday() == 6:
            continue
        for start, end in shape:
            cursor = datetime.combine(day, start, tzinfo=zone)
            close = datetime.combine(day, end, tzinfo=zone)
            while True:
                service = rng.choice(services)
                if rng.random() > booked_share:
                    cursor += timedelta(minutes=15 * rng.randint(1, 4))  # a gap
                    if cursor + service.duration > close:
                        break
                    continue
                finish = cursor + service.duration
                if finish + service.buffer_after > close:
                    break
                yield Appointment(
                    business=business,
                    customer=customer,
                    staff=member,
                    service=service,
                    start=cursor,
                    end=finish,
                    duration=service.duration,
                    price=service.price,
                    source=Appointment.Source.ADMIN,
                    blocked_range=DateTimeTZRange(cursor, finish + service.buffer_after, "[)"),
                )
                cursor = finish + service.buffer_after
                # Round up to the grid so the next booking starts on a slot.
                cursor += timedelta(minutes=(-cursor.minute) % 15)
