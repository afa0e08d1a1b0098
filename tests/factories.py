from datetime import time, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from booking.models import Appointment
from businesses.models import Business, BusinessMembership, OpeningHours, Service, StaffMember, WorkingHours
from customers.models import CustomerAccount


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.django.Password("correct horse battery staple")


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business

    name = factory.Sequence(lambda n: f"Salon {n}")
    slug = factory.Sequence(lambda n: f"salon-{n}")
    timezone = "Europe/London"
    country = "GB"
    currency = "GBP"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessMembership

    user = factory.SubFactory(UserFactory, is_staff=True)
    business = factory.SubFactory(BusinessFactory)
    role = BusinessMembership.Role.OWNER


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    business = factory.SubFactory(BusinessFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    duration = timedelta(minutes=30)
    price = Decimal("30.00")


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    business = factory.SubFactory(BusinessFactory)
    name = factory.Sequence(lambda n: f"Stylist {n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerAccount

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    first_name = "Casey"
    last_name = "Customer"


def open_all_week(business: Business, *staff: StaffMember, start=time(9), end=time(18)) -> None:
    """Opening and working hours Monday to Saturday."""
    for day in range(6):
        OpeningHours.objects.create(business=business, weekday=day, start=start, end=end)
        for member in staff:
            WorkingHours.objects.create(staff=member, weekday=day, start=start, end=end)


def make_appointment(
    *, staff: StaffMember, service: Service, customer: CustomerAccount, start, **fields
) -> Appointment:
    """Save an appointment straight through the ORM (no booking rules): for database tests."""
    appointment = Appointment(
        business=staff.business, staff=staff, service=service, customer=customer, price=service.price, **fields
    )
    appointment.set_times(
        start,
        service.duration,
        service.buffer_before,
        service.buffer_after,
        (service.processing_offset, service.processing_duration),
    )
    appointment.save()
    return appointment


def full_colour(business: Business, *staff: StaffMember, **fields) -> Service:
    """A 90-minute colour that develops from minute 30 to minute 60 (its stylist is free
    then), performed by `staff`: the visit tests' first service."""
    service = ServiceFactory(
        business=business,
        name="Full colour",
        duration=timedelta(minutes=90),
        processing_offset=timedelta(minutes=30),
        processing_duration=timedelta(minutes=30),
        **fields,
    )
    service.staff.set(staff)
    return service
