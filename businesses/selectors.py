"""Who belongs to which business: every staff-side lookup is scoped through these."""

import uuid

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db.models import Prefetch, Q, QuerySet, Value

from businesses.models import Business, BusinessMembership, Resource, Service, StaffMember

Person = AbstractUser | AnonymousUser  # whoever is asking, signed in or not


def businesses_of_member(user: Person, *, roles: set[str] | None = None) -> QuerySet[Business]:
    """Businesses `user` works for: a membership (of one of `roles`) or, for the staff role,
    an active StaffMember profile linked to the user."""
    if not user.is_authenticated:
        return Business.objects.none()
    roles = roles or set(BusinessMembership.Role.values)
    condition = Q(memberships__user__pk=user.pk, memberships__role__in=roles)
    if BusinessMembership.Role.STAFF in roles:
        condition |= Q(staff__user__pk=user.pk, staff__is_active=True)
    return Business.objects.filter(condition).distinct()


def member_role(user: Person, business: Business) -> str | None:
    """The user's role at `business` (owner wins over staff), or None for outsiders."""
    if not user.is_authenticated:
        return None
    staff_profile = business.staff.filter(user__pk=user.pk, is_active=True).annotate(
        role=Value(BusinessMembership.Role.STAFF)
    )
    roles = set(  # one query: the memberships' roles and, with an active profile, the staff role
        business.memberships.filter(user__pk=user.pk)
        .order_by()
        .values_list("role", flat=True)
        .union(staff_profile.order_by().values_list("role", flat=True))
    )
    if BusinessMembership.Role.OWNER in roles:
        return BusinessMembership.Role.OWNER
    return BusinessMembership.Role.STAFF if roles else None


def may_take_time_off(user: Person, business: Business, staff: StaffMember | None) -> bool:
    """Owners add and remove anyone's time off and the salon's closures (staff None); a
    staff-role member only their own time off."""
    if user.is_superuser or member_role(user, business) == BusinessMembership.Role.OWNER:
        return True
    return staff is not None and staff.user_id == user.pk and staff.business_id == business.pk


def has_staff_access(user: Person | None) -> bool:
    """Can `user` act for a salon (the admin, a member's API powers)? Such accounts sign in
    with their password only, never with a customer's one-time code."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or businesses_of_member(user).exists()


def is_business_member(user: Person, business: Business) -> bool:
    return member_role(user, business) is not None


def business_by_id(value: object) -> Business | None:
    """The business with this public id, or None (also for malformed ids)."""
    try:
        return Business.objects.filter(pk=uuid.UUID(str(value))).first()
    except (TypeError, ValueError, AttributeError):
        return None


def active_service_with_business(business_id: object, service_id: object) -> Service | None:
    """The active service `service_id` of business `business_id` with its business, in one
    query; None for an unknown, inactive or foreign service (ask `business_by_id` which)."""
    try:
        return (
            Service.objects.select_related("business")
            .filter(business_id=uuid.UUID(str(business_id)), pk=uuid.UUID(str(service_id)), is_active=True)
            .first()
        )
    except (TypeError, ValueError, AttributeError):
        return None


def active_services(business: Business) -> list[Service]:
    """The salon's bookable services, each with its active staff prefetched."""
    staff = Prefetch("staff", queryset=StaffMember.objects.filter(is_active=True).order_by("position", "name"))
    return list(business.services.filter(is_active=True).prefetch_related(staff))


def active_staff(business: Business) -> list[StaffMember]:
    """The salon's active staff, each with the active services they perform prefetched."""
    services = Prefetch("services", queryset=Service.objects.filter(is_active=True).order_by("position", "name"))
    return list(business.staff.filter(is_active=True).prefetch_related(services))


def active_resources(business: Business) -> list[Resource]:
    """The salon's chairs, basins and rooms in use, in the salon's order."""
    return list(business.resources.filter(is_active=True))


def staff_performing(business: Business, service: Service, staff: StaffMember | None = None) -> list[StaffMember]:
    """Active staff of `business` who perform its active `service` (only `staff`, if given),
    in the salon's order: the one answer to "who can do this?"."""
    if not service.is_active or service.business_id != business.pk:
        return []
    members = StaffMember.objects.filter(business=business, is_active=True, services=service)
    if staff is not None:
        members = members.filter(pk=staff.pk)
    return list(members.order_by("position", "name", "id"))


def performs(staff: StaffMember, service: Service) -> bool:
    """Does this (active) staff member perform this (active) service of their salon?"""
    return bool(staff_performing(staff.business, service, staff))


def businesses_in_admin(user: Person) -> QuerySet[Business]:
    """The businesses `user` manages in the admin: every one for a superuser, else theirs."""
    if user.is_authenticated and user.is_superuser:
        return Business.objects.all()
    return businesses_of_member(user)


def only_business(user: Person) -> Business | None:
    """The salon `user` manages in the admin when there is exactly one (every salon counts for
    a superuser): the admin wears its name and clock, and the front desk needs no choice."""
    found = list(businesses_in_admin(user)[:2])
    return found[0] if len(found) == 1 else None


def own_column_only(user: Person, business: Business) -> set | None:
    """The staff ids a member may see in the calendar: None (the whole salon) unless the owner
    limited this staff-role member to their own column (BusinessMembership.own_column_only)."""
    if not user.is_authenticated or user.is_superuser or member_role(user, business) != BusinessMembership.Role.STAFF:
        return None
    if not business.memberships.filter(user__pk=user.pk, own_column_only=True).exists():
        return None
    return set(business.staff.filter(user__pk=user.pk).values_list("pk", flat=True))


def sees_column(user: Person, business: Business, staff_id: object) -> bool:
    """May `user` see the appointments of this staff member (own_column_only)?"""
    only = own_column_only(user, business)
    return only is None or staff_id in only


def within_own_columns(user: Person) -> Q:
    """A filter for rows with `business` and `staff` (appointments): what `user` may see of
    them under own_column_only: everything at salons where they are not limited, only their
    own staff member's rows where they are."""
    if not user.is_authenticated or user.is_superuser:
        return Q()
    owned = BusinessMembership.objects.filter(user__pk=user.pk, role=BusinessMembership.Role.OWNER).values("business")
    limited = (
        BusinessMembership.objects.filter(user__pk=user.pk, role=BusinessMembership.Role.STAFF, own_column_only=True)
        .exclude(business__in=owned)
        .values("business")
    )
    return ~Q(business__in=limited) | Q(staff__user__pk=user.pk)
