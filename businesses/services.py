"""Writes to a salon's catalogue and schedule: services, staff, resources, hours, policy.

The management API calls these; the admin's forms run the same model validation
(`full_clean`) and the same weekly-hours rule (`weekly_hours_check`). Availability answers
need no invalidation here: the database bumps the salon's version on every such change
(booking/0007).
"""

from collections.abc import Iterable, Sequence
from datetime import time
from itertools import pairwise
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from booking.queue import queue_waitlist_look
from businesses.models import (
    Business,
    BusinessMembership,
    OpeningHours,
    Resource,
    Service,
    StaffMember,
    Weekday,
    WorkingHours,
)
from businesses.selectors import member_role
from config.errors import InvalidInput
from config.languages import message_language

if TYPE_CHECKING:
    from customers.models import User

Interval = tuple[int, time, time]  # weekday, start, end (local wall clock)


def invalid(error: ValidationError) -> InvalidInput:
    fields = {name: [str(message) for message in messages] for name, messages in error.message_dict.items()}
    first = next(iter(fields.values()))[0] if fields else _("Check the highlighted fields.")
    return InvalidInput(first, fields=fields)


def validated_save(instance: models.Model, *, update_fields: list[str] | None = None) -> None:
    """Validate like the admin's form does (field validators, `clean`, constraints), then save
    (only `update_fields`, when given)."""
    try:
        instance.full_clean()
    except ValidationError as error:
        raise invalid(error) from None
    instance.save(update_fields=update_fields)


def weekly_hours_check(intervals: Iterable[Interval]) -> list[Interval]:
    """Each interval ends after it starts, and no two on one day overlap (a lunch break is two
    intervals with a gap). Returns them sorted; errors name the day ("monday")."""
    ordered = sorted(intervals)
    for weekday, start, end in ordered:
        if end <= start:
            day = Weekday(weekday)
            # Translators: a weekday, then its opening time and closing time: "Monday: 17:00–09:00 must …".
            message = _("%(day)s: %(start)s–%(end)s must end after it starts.") % {
                "day": day.label,
                "start": f"{start:%H:%M}",
                "end": f"{end:%H:%M}",
            }
            raise InvalidInput(message, fields={day.name.lower(): [message]})
    for (day_a, start_a, end_a), (day_b, start_b, end_b) in pairwise(ordered):
        if day_a == day_b and start_b < end_a:
            day = Weekday(day_a)
            message = _("%(day)s: %(start_a)s–%(end_a)s and %(start_b)s–%(end_b)s overlap.") % {
                "day": day.label,
                "start_a": f"{start_a:%H:%M}",
                "end_a": f"{end_a:%H:%M}",
                "start_b": f"{start_b:%H:%M}",
                "end_b": f"{end_b:%H:%M}",
            }
            raise InvalidInput(message, fields={day.name.lower(): [message]})
    return ordered


def business_hours_replace(business: Business, intervals: Sequence[Interval]) -> None:
    """The salon's weekly opening hours become `intervals` (a day without any is closed)."""
    ordered = weekly_hours_check(intervals)
    with transaction.atomic():
        business.opening_hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(business=business, weekday=day, start=start, end=end) for day, start, end in ordered
        )
        queue_waitlist_look(business.pk)  # longer hours may free time for those waiting


def staff_hours_replace(member: StaffMember, intervals: Sequence[Interval]) -> None:
    ordered = weekly_hours_check(intervals)
    with transaction.atomic():
        member.working_hours.all().delete()
        WorkingHours.objects.bulk_create(
            WorkingHours(staff=member, weekday=day, start=start, end=end) for day, start, end in ordered
        )
        queue_waitlist_look(member.business_id)


def service_save(service: Service, *, staff: Iterable[StaffMember] | None = None) -> Service:
    with transaction.atomic():
        validated_save(service)
        if staff is not None:
            service.staff.set(list(staff))
    return service


def staff_save(member: StaffMember, *, services: Iterable[Service] | None = None) -> StaffMember:
    with transaction.atomic():
        validated_save(member)
        if services is not None:
            member.services.set(list(services))
    return member


def retire(instance: Service | StaffMember | Resource) -> None:
    """A service, staff member or resource leaves the salon's offer; its appointments (past and
    booked) keep it. (Deleting would take their history with it.)"""
    instance.is_active = False
    instance.save(update_fields=["is_active"])


def business_settings_save(business: Business, changes: dict) -> Business:
    """Only the fields changed are written (a full save would write back what others changed
    meanwhile, e.g. the webhook events)."""
    for name, value in changes.items():
        setattr(business, name, value)
    validated_save(business, update_fields=list(changes))
    return business


def may_manage_team(user: "User", business: Business) -> bool:
    return user.is_superuser or member_role(user, business) == BusinessMembership.Role.OWNER


def member_invite(*, business: Business, email: str, role: str, by: "User") -> BusinessMembership:
    """Add the person with `email` to the salon's team with `role`, making their staff account
    if they have none, and e-mail them a link to the admin (with a link to choose a password
    when they have none yet). An owner does this; no superuser needed."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(
            _("Enter a valid email address."), fields={"email": [_("Enter a valid email address.")]}
        ) from None
    if role not in BusinessMembership.Role.values:
        raise InvalidInput(_("Choose owner or staff."), fields={"role": [_("Choose owner or staff.")]})
    if not may_manage_team(by, business):
        raise PermissionDenied(_("Only an owner of the salon invites to its team."))
    with transaction.atomic():
        users = get_user_model().objects
        user = users.select_for_update().filter(email__iexact=email).first()
        if user is None:
            try:
                with transaction.atomic():
                    user = users.create_user(email=email, password=None, is_staff=True)
            except IntegrityError:  # invited at the same moment by someone else
                user = users.select_for_update().get(email__iexact=email)
        elif not user.is_staff:
            user.is_staff = True  # the admin's door; what they see there is their membership's
            user.save(update_fields=["is_staff"])
        if BusinessMembership.objects.filter(user=user, business=business).exists():
            message = _("%(email)s is already on the team.") % {"email": email}
            raise InvalidInput(message, fields={"email": [message]})
        membership = BusinessMembership.objects.create(user=user, business=business, role=role)
        transaction.on_commit(lambda: send_invitation(membership, by), robust=True)
    return membership


def send_invitation(membership: BusinessMembership, by: "User") -> None:
    user = membership.user
    choose_password = None
    if not user.has_usable_password():
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        path = reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
        choose_password = f"{settings.SITE_URL}{path}"
    context = {
        "membership": membership,
        "business": membership.business,
        "by": by,
        "admin_url": f"{settings.SITE_URL}{reverse('admin:index')}",
        "choose_password_url": choose_password,
    }
    with translation.override(message_language(None, membership.business)):  # the salon's, not the inviter's page's
        subject = " ".join(render_to_string("email/team_invitation_subject.txt", context).split())
        message = render_to_string("email/team_invitation_message.txt", context)
    send_mail(subject, message, None, [user.email])
