"""Admin scoping: staff users see and edit only the businesses they belong to.

Every ModelAdmin of a salon object derives from `BusinessScopedAdmin` and names the
lookup from its model to `Business`. Querysets, foreign-key and many-to-many choices
and object URLs are all filtered through it; a foreign object's URL is a 404. Superusers see everything. Roles
(DESIGN §3): owners edit everything of their salon; staff edit appointments and
customer notes and only look at the rest.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from businesses.models import Business, BusinessMembership, Service, StaffMember
from businesses.selectors import businesses_of_member, only_business

OWNER: set[str] = {BusinessMembership.Role.OWNER}
EVERY_ROLE: set[str] = set(BusinessMembership.Role.values)


def business_of(obj, lookup: str) -> Business | None:
    """Follow `lookup` ("staff__business") from obj to its Business ("" is obj itself)."""
    for attribute in filter(None, lookup.split("__")):
        obj = getattr(obj, attribute, None)
        if obj is None:
            return None
    return obj


def may_edit(user, business: Business | None, roles: set[str]) -> bool:
    """May `user` write to `business` (or, for None, to any business) with one of `roles`?"""
    if user.is_superuser:
        return True
    editable = businesses_of_member(user, roles=roles)
    return editable.filter(pk=business.pk).exists() if business else editable.exists()


def member_anywhere(request) -> bool:
    """Does the user work for any business? Asked once per request (the admin's app list
    asks every model admin)."""
    if not hasattr(request, "_member_anywhere"):
        request._member_anywhere = request.user.is_superuser or businesses_of_member(request.user).exists()
    return request._member_anywhere


def may_edit_some(request, roles: set[str]) -> bool:
    """`may_edit(user, None, roles)`, asked once per request and set of roles."""
    answers = request.__dict__.setdefault("_may_edit_some", {})
    key = frozenset(roles)
    if key not in answers:
        answers[key] = may_edit(request.user, None, roles)
    return answers[key]


class ScopedChoicesMixin(admin.options.BaseModelAdmin):
    """Foreign-key and many-to-many choices limited to the businesses the user may edit."""

    editing_roles: set[str] = {*OWNER}

    def scoped_choices(self, request, model) -> QuerySet | None:
        if request.user.is_superuser:
            return None
        businesses = businesses_of_member(request.user, roles=self.editing_roles)
        if model is Business:
            return businesses
        if model in (Service, StaffMember):
            return model.objects.filter(business__in=businesses)
        return None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = self.scoped_choices(request, db_field.related_model)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choices = self.scoped_choices(request, db_field.related_model)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class BusinessScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    business_lookup = "business"
    viewing_roles: set[str] = EVERY_ROLE  # who sees the model at all

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        businesses = businesses_of_member(request.user, roles=self.viewing_roles)
        lookup = f"{self.business_lookup}__in" if self.business_lookup else "pk__in"
        return queryset.filter(**{lookup: businesses})

    def get_object(self, request, object_id, from_field=None):
        # Another salon's object (or none) is a 404, as everywhere else in Chairtime, not
        # Django's redirect to the index with "does not exist".
        found = super().get_object(request, object_id, from_field)
        if found is None:
            raise Http404(f"No {self.opts.verbose_name} with that id here.")
        return found

    # Permissions come from membership and role, not from Django's global model permissions.
    def has_module_permission(self, request):
        if self.viewing_roles == EVERY_ROLE:
            return member_anywhere(request)
        return may_edit_some(request, self.viewing_roles)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return may_edit_some(request, self.editing_roles)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return may_edit_some(request, self.editing_roles)
        return may_edit(request.user, business_of(obj, self.business_lookup), self.editing_roles)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    # A salon's staff think in the salon's clock: show and read times in its zone.
    def admin_zone(self, request):
        salon = only_business(request.user)
        return salon.zone if salon is not None else timezone.get_current_timezone()

    def changelist_view(self, request, extra_context=None):
        with timezone.override(self.admin_zone(request)):
            return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with timezone.override(self.admin_zone(request)):
            return super().changeform_view(request, object_id, form_url, extra_context)


class ScopedInlineMixin(ScopedChoicesMixin):
    """Inlines on a business-scoped admin: `obj` is the parent; its business decides."""

    business_lookup = "business"

    def parent_business(self, obj) -> Business | None:
        return obj if isinstance(obj, Business) else business_of(obj, self.business_lookup)

    def has_view_permission(self, request, obj=None):
        return member_anywhere(request)

    def has_add_permission(self, request, obj=None):
        return may_edit(request.user, self.parent_business(obj) if obj else None, self.editing_roles)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)
