"""Clients the salon knows by phone only, and how a customer claims them by verifying that phone."""

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from django.db import IntegrityError

from booking.models import Appointment
from booking.services import Actor, CustomerDetails, appointment_book, appointment_complete
from customers.models import ClientNote, CustomerAccount, CustomerBusinessRelationship
from tests.factories import UserFactory

MONDAY = date(2030, 3, 4)


def at(hour):
    return datetime.combine(MONDAY, time(hour), tzinfo=UTC)


def test_an_account_needs_an_email_or_a_phone(db):
    with pytest.raises(IntegrityError):
        CustomerAccount.objects.create(email=None, phone="")


def test_a_customer_who_verifies_the_phone_claims_the_salons_phone_only_record(
    client, salon, staff, services, sms_outbox
):
    system = Actor.system()
    walk_in = appointment_book(
        business=salon,
        service=services[0],
        staff=staff[0],
        start=at(10),
        by=system,
        customer_details=CustomerDetails(phone="07911 123456", first_name="Robin"),
    )
    appointment_complete(appointment=walk_in, by=system, now=at(11))
    record = walk_in.customer
    relationship = CustomerBusinessRelationship.objects.get(customer=record)
    CustomerBusinessRelationship.objects.filter(pk=relationship.pk).update(allergies="PPD")
    ClientNote.objects.create(relationship=relationship, text="6/0 + 20 vol, 35 min", author_label="bob")
    assert record.email is None and record.user is None

    # Robin signs up in the portal by email, then verifies that phone.
    user = UserFactory(email="robin@example.com")
    account = CustomerAccount.objects.create(email=user.email, user=user)
    client.force_login(user)
    client.post("/customer/account", {"action": "phone_start", "phone": "+447911123456"})
    code = re.search(r"\b(\d{8})\b", sms_outbox.messages()[-1]).group(1)
    client.post("/customer/account", {"action": "phone_verify", "code": code})

    assert not CustomerAccount.objects.filter(pk=record.pk).exists()
    walk_in.refresh_from_db()
    assert walk_in.customer_id == account.pk
    mine = CustomerBusinessRelationship.objects.get(customer=account, business=salon)
    assert (mine.total_visits, mine.total_spent, mine.allergies) == (1, Decimal("30.00"), "PPD")
    assert [note.text for note in mine.client_notes.all()] == ["6/0 + 20 vol, 35 min"]


def test_claiming_merges_into_an_existing_relationship(salon, staff, services):
    from customers.services import claim_phone_only_records

    system = Actor.system()
    account = CustomerAccount.objects.create(email="robin@example.com")
    appointment_book(business=salon, service=services[0], staff=staff[0], start=at(9), by=system, customer=account)
    appointment_book(
        business=salon,
        service=services[0],
        staff=staff[1],
        start=at(10),
        by=system,
        customer_details=CustomerDetails(phone="+447911123456"),
    )
    CustomerAccount.objects.filter(pk=account.pk).update(phone="+447911123456", phone_verified=True)
    account.refresh_from_db()
    assert claim_phone_only_records(account) == 1
    assert Appointment.objects.filter(customer=account).count() == 2
    assert CustomerBusinessRelationship.objects.filter(business=salon).count() == 1


def test_a_verified_customers_number_is_not_matched_by_a_staff_phone_booking(salon, staff, services):
    """Typing a number at the desk never files the booking under a stranger's own account."""
    account = CustomerAccount.objects.create(
        email="owner-of-number@example.com", phone="+447911123456", phone_verified=True
    )
    booked = appointment_book(
        business=salon,
        service=services[0],
        staff=staff[0],
        start=at(10),
        by=Actor.system(),
        customer_details=CustomerDetails(phone="07911 123456"),
    )
    assert booked.customer_id != account.pk and booked.customer.email is None


def test_signing_in_claims_records_booked_by_the_number_since(api_client, salon, staff, services):
    """A salon books the verified number as a new phone-only client (it never files a desk
    booking under a customer's own account); the customer's next sign-in takes it over."""
    from tests.customers.test_sign_in_security import sign_in, verify, with_known_code

    account = CustomerAccount.objects.create(email="robin@example.com", phone="+447911123456", phone_verified=True)
    booked = appointment_book(
        business=salon,
        service=services[0],
        staff=staff[0],
        start=at(10),
        by=Actor.system(),
        customer_details=CustomerDetails(phone="07911 123456"),
    )
    assert booked.customer_id != account.pk
    challenge = sign_in(api_client, email="robin@example.com")
    assert verify(api_client, challenge, with_known_code(challenge)).status_code == 200
    booked.refresh_from_db()
    assert booked.customer_id == account.pk


def test_erasing_an_account_clears_what_salons_noted_about_the_person(salon, staff, services, dana):
    from booking.services import customer_erase

    relationship = CustomerBusinessRelationship.objects.create(
        customer=dana, business=salon, allergies="PPD", patch_test_required=True, patch_test_on=MONDAY
    )
    ClientNote.objects.create(relationship=relationship, text="6/0 + 20 vol")
    customer_erase(customer=dana)
    relationship.refresh_from_db()
    assert (relationship.allergies, relationship.patch_test_required, relationship.patch_test_on) == ("", False, None)
    assert not ClientNote.objects.exists()
