"""Who belongs to which business: every staff-side lookup is scoped through these."""

import uuid

from django.db.models import Q, QuerySet

from businesses.models import Business, BusinessMembership


def businesses_of_member(user, *, roles: set[str] | None = None) -> QuerySet[Business]:
    """Businesses `user` works for: a membership (of one of `roles`) or, for the staff role,
    an active StaffMember profile linked to the user."""
    if not user.is_authenticated:
        return Business.objects.none()
    roles = roles or set(BusinessMembership.Role.values)
    condition = Q(memberships__user=user, memberships__role__in=roles)
    if BusinessMembership.Role.STAFF in roles:
        condition |= Q(staff__user=user, staff__is_active=True)
    return Business.objects.filter(condition).distinct()


def member_role(user, business: Business) -> str | None:
    """The user's role at `business` (owner wins over staff), or None for outsiders."""
    if not user.is_authenticated:
        return None
    roles = set(business.memberships.filter(user=user).values_list("role", flat=True))
    if BusinessMembership.Role.OWNER in roles:
        return BusinessMembership.Role.OWNER
    if roles or business.staff.filter(user=user, is_active=True).exists():
        return BusinessMembership.Role.STAFF
    return None


def has_staff_access(user) -> bool:
    """Can `user` act for a salon (the admin, a member's API powers)? Such accounts sign in
    with their password only, never with a customer's one-time code."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or businesses_of_member(user).exists()


def is_business_member(user, business: Business) -> bool:
    return member_role(user, business) is not None


def business_by_id(value) -> Business | None:
    """The business with this public id, or None (also for malformed ids)."""
    try:
        return Business.objects.filter(pk=uuid.UUID(str(value))).first()
    except (TypeError, ValueError, AttributeError):
        return None
