from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from businesses.admin_scoping import BusinessScopedAdmin, ScopedInlineMixin, may_edit
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
from config.inputs import OUT_OF_RANGE, within_input_range


class OpeningHoursInline(ScopedInlineMixin, admin.TabularInline):
    model = OpeningHours
    extra = 0


class MembershipInline(ScopedInlineMixin, admin.TabularInline):
    """Who works at the salon. Adding people means choosing among every user of the instance
    (superusers only); an owner may limit a staff-role member to their own calendar column."""

    model = BusinessMembership
    extra = 0
    autocomplete_fields = ["user"]

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return may_edit(request.user, self.parent_business(obj) if obj else None, self.editing_roles)

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["user", "role"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Business)
class BusinessAdmin(BusinessScopedAdmin):
    business_lookup = ""
    list_display = ["name", "timezone", "country", "currency", "slot_interval_minutes", "created_at"]
    search_fields = ["name", "slug", "email"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningHoursInline, MembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "timezone", "country", "currency"]}),
        ("Contact", {"fields": ["email", "phone", "address", "website"]}),
        ("Brand", {"fields": ["brand_color", "logo"]}),
        (
            "Booking policy",
            {
                "fields": [
                    "slot_interval_minutes",
                    "slot_offering",
                    "min_notice_minutes",
                    "max_advance_days",
                    "cancellation_window_hours",
                    "max_upcoming_per_customer",
                    "auto_complete_after_hours",
                ]
            },
        ),
        (
            "Notifications and loyalty",
            {"fields": ["reminders_enabled", "reminder_hours_before", "sms_enabled", "loyalty_points_per_unit"]},
        ),
        ("Website widget", {"fields": ["embed_allowed_origins", "embed_snippet"]}),
    ]
    readonly_fields = ["embed_snippet"]

    @admin.display(description="Embed code (copy onto your website)")
    def embed_snippet(self, business: Business) -> str:
        if business.pk is None:
            return "Save the salon first."
        from django.utils.html import format_html

        from widget.framing import embed_snippet

        return format_html(
            '<textarea readonly rows="3" cols="90" onclick="this.select()">{}</textarea>', embed_snippet(business)
        )

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class StaffMemberForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean() or {}
        business = cleaned.get("business")
        foreign = [s for s in cleaned.get("services", []) if business and s.business_id != business.pk]
        if foreign:
            raise ValidationError({"services": "Choose services of this staff member's own salon."})
        return cleaned


class WorkingHoursInline(ScopedInlineMixin, admin.TabularInline):
    model = WorkingHours
    extra = 0


@admin.register(StaffMember)
class StaffMemberAdmin(BusinessScopedAdmin):
    form = StaffMemberForm
    list_display = ["name", "business", "is_active", "user"]
    list_filter = ["is_active", ("business", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "user__email"]
    filter_horizontal = ["services"]
    autocomplete_fields = ["user"]
    inlines = [WorkingHoursInline]

    def get_autocomplete_fields(self, request):
        # Picking a user means searching every user of the instance: superusers only.
        return self.autocomplete_fields if request.user.is_superuser else []

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["user"]


@admin.register(Service)
class ServiceAdmin(BusinessScopedAdmin):
    list_display = ["name", "business", "duration", "price", "processing_duration", "resource_kinds", "is_active"]
    list_filter = ["is_active", ("business", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "description"]
    fieldsets = [
        (None, {"fields": ["business", "name", "description", "duration", "price", "is_active", "position"]}),
        ("Preparation and clean-up", {"fields": ["buffer_before", "buffer_after"]}),
        (
            "Processing time and resources",
            {
                "fields": ["processing_offset", "processing_duration", "resource_kinds"],
                "description": "While a colour develops the stylist may serve someone else; the client keeps "
                "the chair and the resources (one of each kind listed, e.g. basin) for the whole service.",
            },
        ),
    ]


@admin.register(Resource)
class ResourceAdmin(BusinessScopedAdmin):
    list_display = ["name", "kind", "business", "is_active"]
    list_filter = ["is_active", "kind", ("business", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "kind"]


class TimeOffAdminForm(forms.ModelForm):
    """Dates within the calendar we serve: a closure in year 9999 must not reach the engine."""

    class Meta:
        model = TimeOff
        fields = ["business", "staff", "start", "end", "reason"]

    def clean(self):
        cleaned = super().clean() or {}
        for name in ("start", "end"):
            value = cleaned.get(name)
            if value is not None and not within_input_range(value):
                self.add_error(name, OUT_OF_RANGE)
        return cleaned


@admin.register(TimeOff)
class TimeOffAdmin(BusinessScopedAdmin):
    form = TimeOffAdminForm
    list_display = ["__str__", "business", "staff", "start", "end", "reason"]
    list_filter = [("business", admin.RelatedOnlyFieldListFilter), ("staff", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "start"
    search_fields = ["reason", "staff__name"]
