"""The demo salon of `manage.py seed_demo`: realistic hours, staff, services and bookings."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from booking.models import Appointment
from booking.services import Actor, appointment_book, appointment_complete
from businesses.models import (
    Business,
    BusinessMembership,
    OpeningHours,
    Resource,
    Service,
    StaffMember,
    TimeOff,
    WorkingHours,
)
from customers.models import CustomerAccount, CustomerBusinessRelationship

MON_TO_SAT = range(6)
STAFF_NAMES = ["Alex Morgan", "Sam Patel", "Jordan Lee", "Riley Chen", "Casey Novak", "Taylor Brooks"]


@dataclass(frozen=True)
class DemoService:
    name: str
    minutes: int
    price: str
    buffer_before: int = 0
    buffer_after: int = 0
    description: str = ""
    processing_offset: int = 0
    processing: int = 0
    resource_kinds: tuple[str, ...] = ()


SERVICES = [
    DemoService("Women's cut & finish", 45, "45.00", buffer_after=15, description="Wash, cut and blow-dry."),
    DemoService("Men's cut", 30, "28.00", buffer_after=5),
    DemoService(
        "Full colour",
        90,
        "95.00",
        buffer_before=10,
        buffer_after=15,
        description="Includes a gloss. The colour develops for 35 minutes; the rinse needs a basin.",
        processing_offset=30,
        processing=35,
        resource_kinds=("basin",),
    ),
    DemoService("Blow-dry", 30, "25.00", buffer_after=5),
    DemoService("Highlights", 120, "130.00", buffer_before=10, buffer_after=15),
    DemoService("Free consultation", 15, "0.00", description="Talk through a new look; no charge."),
    DemoService("Beard trim", 15, "12.00"),
]
RESOURCES = [("Basin 1", "basin"), ("Basin 2", "basin"), ("Treatment room", "room")]
# Which staff (by index, modulo the team size) perform each service: most by two or more.
PERFORMERS = [(0, 1, 2), (0, 1), (0, 2), (1, 2), (2, 0), (0, 1, 2), (1,)]

CUSTOMERS = [
    ("maya.jones@example.com", "Maya", "Jones", "+447911123401"),
    ("leo.martin@example.com", "Leo", "Martin", "+447911123402"),
    ("ana.silva@example.com", "Ana", "Silva", ""),
    (None, "Priya", "Shah", "+447911123404"),  # known by phone only, as many salon clients are
]


def staff_hours(index: int) -> list[tuple[int, time, time]]:
    """Three shapes of week: full days, a lunch break, a later start with Mondays off."""
    shape = index % 3
    if shape == 0:
        return [(day, time(9), time(18)) for day in MON_TO_SAT]
    if shape == 1:
        return [(day, start, end) for day in MON_TO_SAT for start, end in ((time(9), time(13)), (time(14), time(18)))]
    return [(day, time(11), time(18)) for day in MON_TO_SAT if day != 0]


def owner_password(slug: str) -> str:
    """Derived, not stored: a second run prints the same working password."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"demo-owner:{slug}".encode(), hashlib.sha256).hexdigest()
    return f"demo-{digest[:16]}"


@transaction.atomic
def seed_demo_salon(*, name: str, timezone_name: str, staff_count: int, max_advance_days: int) -> dict:
    slug = slugify(name) or "demo-salon"
    business = Business.objects.filter(slug=slug).first()
    if business is None:
        business = create_salon(
            name=name,
            slug=slug,
            timezone_name=timezone_name,
            staff_count=staff_count,
            max_advance_days=max_advance_days,
        )
    owner = ensure_owner(business)
    return {
        "business_id": str(business.pk),
        "owner_email": owner.email,
        "owner_password": owner_password(slug),
        "services": [
            {"id": str(s.pk), "name": s.name, "duration_minutes": s.duration_minutes}
            for s in business.services.order_by("position")
        ],
        "staff": [{"id": str(m.pk), "name": m.name} for m in business.staff.order_by("position")],
    }


def ensure_owner(business: Business):
    User = get_user_model()
    email = f"owner@{business.slug}.example"
    owner = User.objects.filter(email=email).first()
    if owner is None:
        owner = User.objects.create_user(email, owner_password(business.slug), is_staff=True, first_name="Owner")
    elif not owner.check_password(owner_password(business.slug)):
        owner.set_password(owner_password(business.slug))
        owner.save(update_fields=["password"])
    BusinessMembership.objects.get_or_create(user=owner, business=business, role=BusinessMembership.Role.OWNER)
    return owner


def create_salon(*, name: str, slug: str, timezone_name: str, staff_count: int, max_advance_days: int) -> Business:
    business = Business.objects.create(
        name=name,
        slug=slug,
        timezone=timezone_name,
        email=f"hello@{slug}.example",
        phone="+442079460000",
        address="1 High Street, London",
        slot_interval_minutes=15,
        min_notice_minutes=60,
        cancellation_window_hours=24,
        max_advance_days=max_advance_days,
        # `make widget-demo` serves a page embedding the widget from this origin.
        embed_allowed_origins=["http://localhost:8001"],
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(business=business, weekday=day, start=time(9), end=time(18)) for day in MON_TO_SAT
    )
    services = [
        Service.objects.create(
            business=business,
            name=spec.name,
            description=spec.description,
            duration=timedelta(minutes=spec.minutes),
            price=Decimal(spec.price),
            buffer_before=timedelta(minutes=spec.buffer_before),
            buffer_after=timedelta(minutes=spec.buffer_after),
            processing_offset=timedelta(minutes=spec.processing_offset),
            processing_duration=timedelta(minutes=spec.processing),
            resource_kinds=list(spec.resource_kinds),
            position=position,
        )
        for position, spec in enumerate(SERVICES)
    ]
    Resource.objects.bulk_create(
        Resource(business=business, name=name, kind=kind, position=position)
        for position, (name, kind) in enumerate(RESOURCES)
    )
    team = []
    for index in range(staff_count):
        name_ = STAFF_NAMES[index] if index < len(STAFF_NAMES) else f"Stylist {index + 1}"
        member = StaffMember.objects.create(business=business, name=name_, position=index)
        WorkingHours.objects.bulk_create(
            WorkingHours(staff=member, weekday=day, start=start, end=end) for day, start, end in staff_hours(index)
        )
        team.append(member)
    for service, performers in zip(services, PERFORMERS, strict=True):
        service.staff.set({team[i % staff_count] for i in performers})
    add_time_off(business, team[0])
    add_appointments(business, services, team)
    add_client_warnings(business)
    return business


def local(business: Business, day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=business.zone)


def add_time_off(business: Business, member: StaffMember) -> None:
    """A day off for the first stylist, ten days from now (clear of the demo bookings)."""
    day = timezone.localdate(timezone=business.zone) + timedelta(days=10)
    TimeOff.objects.create(
        business=business,
        staff=member,
        start=local(business, day, time(0)),
        end=local(business, day + timedelta(days=1), time(0)),
        reason="Day off",
    )


def add_appointments(business: Business, services: list[Service], team: list[StaffMember]) -> None:
    customers = [demo_customer(*details) for details in CUSTOMERS]
    today = timezone.localdate(timezone=business.zone)
    bookings = 0
    for offset in (-3, -2, -1, 0, 2, 3, 4, 6):  # today's too: the front desk opens on them
        day = today + timedelta(days=offset)
        for index, member in enumerate(team[:3]):
            at = (time(10), time(14, 30), time(15))[index]
            hours = staff_hours(index)
            if not any(d == day.weekday() and s <= at < e for d, s, e in hours):
                continue
            service = next((s for s in services if member in s.staff.all()), None)
            customer = customers[bookings % len(customers)]
            create_demo_appointment(business, service, member, customer, local(business, day, at), past=offset < 0)
            bookings += 1


def demo_customer(email: str | None, first: str, last: str, phone: str) -> CustomerAccount:
    names = {"first_name": first, "last_name": last}
    if email is None:  # a phone-only client
        return CustomerAccount.objects.get_or_create(email=None, phone=phone, defaults=names)[0]
    return CustomerAccount.objects.get_or_create(email=email, defaults={**names, "phone": phone})[0]


def add_client_warnings(business: Business) -> None:
    """The phone-only client has an allergy on file: the front desk warns on her bookings."""
    CustomerBusinessRelationship.objects.filter(business=business, customer__email__isnull=True).update(
        allergies="Nickel", patch_test_required=True
    )


def create_demo_appointment(business, service, member, customer, start, *, past: bool) -> None:
    """Book through the booking services, as the salon would; past visits are completed."""
    seeder = Actor.system("seed_demo")
    appointment = appointment_book(
        business=business,
        service=service,
        staff=member,
        start=start,
        by=seeder,
        customer=customer,
        source=Appointment.Source.ADMIN,
        notify=False,  # example customers: no confirmations (and `seed_demo --json` keeps stdout clean)
    )
    if past:
        appointment_complete(appointment=appointment, by=seeder)
