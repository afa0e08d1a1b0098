"""Reads about customers that more than one part of the app needs answered the same way."""

from businesses.models import Business
from customers.models import CustomerAccount, CustomerBusinessRelationship


def sms_number(customer: CustomerAccount, business: Business) -> str:
    """Where a text about `business`'s appointment may go: the customer's own number once
    they verified it; otherwise only the number this salon's staff entered, for its own
    appointments (never another salon's, never an unverified number someone else typed)."""
    if customer.phone and customer.phone_verified:
        return customer.phone
    entered = (
        CustomerBusinessRelationship.objects.filter(customer=customer, business=business)
        .values_list("phone", flat=True)
        .first()
    )
    return entered or ""
