"""Staff-entered contact data stays the salon's own (issue 22, finding 3)."""

from datetime import UTC, datetime

import pytest

from booking.services import Actor, CustomerDetails, appointment_book
from customers.models import CustomerAccount

pytestmark = pytest.mark.django_db(transaction=True)

MONDAY_10 = datetime(2030, 3, 4, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2030, 3, 1, 12, tzinfo=UTC), tick=False)


@pytest.fixture
def both_salons_text(salon, other_salon):
    for business in (salon, other_salon):
        business.sms_enabled = True
        business.save()


def desk_books(business, details: CustomerDetails, start=MONDAY_10):
    service = business.services.first()
    return appointment_book(
        business=business,
        service=service,
        staff=service.staff.first(),
        start=start,
        by=Actor.system("front desk"),
        customer_details=details,
    )


def test_one_salon_cannot_rewrite_a_customers_own_details(salon, services, dana, other_salon):
    desk_books(salon, CustomerDetails(email="dana@example.com", phone="07911 123456", first_name="Mallory"))
    dana.refresh_from_db()
    assert (dana.phone, dana.first_name, dana.last_name) == ("", "Dana", "Doe")


def test_an_unverified_number_entered_by_one_salon_is_texted_only_for_that_salon(
    salon, services, dana, other_salon, both_salons_text, sms_outbox
):
    desk_books(salon, CustomerDetails(email="dana@example.com", phone="07911 123456"))
    assert len(sms_outbox.messages()) == 1 and "+447911123456" in sms_outbox.messages()[0]
    desk_books(other_salon, CustomerDetails(email="dana@example.com"), start=datetime(2030, 3, 4, 15, tzinfo=UTC))
    assert len(sms_outbox.messages()) == 1  # the other salon's booking is not texted to it


def test_a_number_the_customer_verified_is_texted_for_every_salon(
    salon, services, dana, other_salon, both_salons_text, sms_outbox
):
    CustomerAccount.objects.filter(pk=dana.pk).update(phone="+447911123457", phone_verified=True)
    desk_books(salon, CustomerDetails(email="dana@example.com", phone="07911 123456"))
    desk_books(other_salon, CustomerDetails(email="dana@example.com"), start=datetime(2030, 3, 4, 15, tzinfo=UTC))
    messages = sms_outbox.messages()
    assert len(messages) == 2 and all("+447911123457" in message for message in messages)


def test_a_self_entered_unverified_number_is_not_texted(salon, services, dana, both_salons_text, sms_outbox):
    CustomerAccount.objects.filter(pk=dana.pk).update(phone="+447911123457", phone_verified=False)
    desk_books(salon, CustomerDetails(email="dana@example.com"))
    assert sms_outbox.messages() == []


def test_deleting_the_account_clears_what_salons_entered_about_the_person(salon, services, dana):
    from booking.services import customer_erase
    from customers.models import CustomerBusinessRelationship

    desk_books(salon, CustomerDetails(email="dana@example.com", phone="07911 123456", first_name="Dee"))
    customer_erase(customer=dana)
    relationship = CustomerBusinessRelationship.objects.get(customer=dana)
    assert (relationship.phone, relationship.first_name, relationship.last_name) == ("", "", "")
