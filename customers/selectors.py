"""Reads about customers that more than one part of the app needs answered the same way."""

from django.db.models import Q

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


def client_phone_match(query: str) -> Q | None:
    """Relationships whose number (the salon's entry or the account's) holds the digits typed,
    however they are spaced or prefixed ("07911 123456" finds +447911123456)."""
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) < 3:
        return None
    return Q(phone__contains=digits[-9:]) | Q(customer__phone__contains=digits[-9:])


def client_match(query: str) -> Q:
    """How the front desk finds a salon's client as staff type: the names the salon entered
    or the account's, the email, or the phone digits. (The admin's client list searches the
    same fields with Django's search, plus `client_phone_match`.)"""
    match = (
        Q(first_name__icontains=query)
        | Q(last_name__icontains=query)
        | Q(customer__first_name__icontains=query)
        | Q(customer__last_name__icontains=query)
        | Q(customer__email__icontains=query)
    )
    by_phone = client_phone_match(query)
    return match | by_phone if by_phone is not None else match


def search_clients(business: Business, query: str, *, limit: int) -> list[CustomerBusinessRelationship]:
    """`business`'s clients matching `query` (at least two characters), ordered by name."""
    query = query.strip()[:100]
    if len(query) < 2:
        return []
    found = CustomerBusinessRelationship.objects.filter(client_match(query), business=business)
    ordering = ("last_name", "first_name", "customer__last_name", "customer__first_name")
    return list(found.select_related("customer").order_by(*ordering)[:limit])
