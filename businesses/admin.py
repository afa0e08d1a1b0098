from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from businesses.admin_scoping import OWNER, BusinessScopedAdmin, ScopedInlineMixin, may_edit
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
from businesses.selectors import businesses_of_member
from businesses.services import may_manage_team, member_invite, weekly_hours_check
from config.errors import InvalidInput
from config.inputs import OUT_OF_RANGE, within_input_range
from integrations.feeds import feed_for, feed_regenerate, feed_url


def calendar_feed_field(business: Business, staff: StaffMember | None = None) -> str:
    url = feed_url(feed_for(business, staff))
    return format_html(
        '<input readonly size="90" value="{}" onclick="this.select()" aria-label="{}"><div class="help">{}</div>',
        url,
        _("Calendar feed link"),
        _(
            # Translators: "From URL" and "New Calendar Subscription" are the names of menu items in Google
            # Calendar and Apple Calendar (use the names these apps show in your language); "New calendar feed
            # link" is the name of the admin action (the start of "New calendar feed link (the old one stops
            # working)").
            'Subscribe to this link in a calendar app (Google Calendar: "From URL"; Apple Calendar: "New Calendar '
            'Subscription"). Anyone with the link can read it: the action "New calendar feed link" replaces it '
            "and the old one stops working."
        ),
    )


class CalendarFeedActions(admin.ModelAdmin):
    """The admin action that replaces calendar feed links (owners)."""

    business_lookup = "business"

    def feeds_of(self, queryset) -> list:
        raise NotImplementedError

    @admin.action(
        description=gettext_lazy("New calendar feed link (the old one stops working)"), permissions=["change"]
    )
    def new_calendar_feed_link(self, request, queryset):
        if not request.user.is_superuser:  # of the salons they own, not those they only work at
            lookup = f"{self.business_lookup}__in" if self.business_lookup else "pk__in"
            queryset = queryset.filter(**{lookup: businesses_of_member(request.user, roles=OWNER)})
        feeds = self.feeds_of(queryset)
        for feed in feeds:
            feed_regenerate(feed)
        message = ngettext(
            "%(count)d calendar feed link replaced.",
            "%(count)d calendar feed links replaced.",
            len(feeds),
        )
        self.message_user(request, message % {"count": len(feeds)}, messages.SUCCESS)


class WeeklyHoursFormSet(forms.BaseInlineFormSet):
    """The same weekly-hours rule as the API's (businesses.services.weekly_hours_check)."""

    def clean(self):
        super().clean()
        rows = [form.cleaned_data for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        intervals = [
            (row["weekday"], row["start"], row["end"])
            for row in rows
            if None not in (row.get("weekday"), row.get("start"), row.get("end"))
        ]
        try:
            weekly_hours_check(intervals)
        except InvalidInput as error:
            raise ValidationError(error.message) from None


class OpeningHoursInline(ScopedInlineMixin, admin.TabularInline):
    model = OpeningHours
    formset = WeeklyHoursFormSet
    extra = 0


class MembershipFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        roles = [
            form.cleaned_data.get("role")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if roles and BusinessMembership.Role.OWNER not in roles:
            raise ValidationError(_("Keep at least one owner: they manage the salon's team and settings."))


class MembershipInline(ScopedInlineMixin, admin.TabularInline):
    """Who works at the salon. Owners set roles and limit a staff-role member to their own
    calendar column, and invite people by e-mail ("Invite a team member"); choosing among
    every user of the instance, and removing people, is for superusers."""

    model = BusinessMembership
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["user"]

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return may_edit(request.user, self.parent_business(obj) if obj else None, self.editing_roles)

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["user"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Business)
class BusinessAdmin(CalendarFeedActions, BusinessScopedAdmin):
    business_lookup = ""
    actions = ["new_calendar_feed_link"]
    list_display = ["name", "timezone", "country", "currency", "slot_interval_minutes", "created_at"]
    search_fields = ["name", "slug", "email"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningHoursInline, MembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "timezone", "country", "currency", "language"]}),
        (gettext_lazy("Contact"), {"fields": ["email", "phone", "address", "website"]}),
        (gettext_lazy("Brand"), {"fields": ["brand_color", "logo"]}),
        (gettext_lazy("Booking policy"), {"fields": list(Business.POLICY_FIELDS)}),
        (gettext_lazy("Notifications and loyalty"), {"fields": list(Business.NOTIFICATION_FIELDS)}),
        (gettext_lazy("Website widget"), {"fields": ["embed_allowed_origins", "embed_snippet"]}),
    ]
    readonly_fields = ["embed_snippet", "calendar_feed", "invite_link"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and may_edit(request.user, obj, OWNER):  # every appointment: owners only
            fieldsets.append((_("Calendar feed of the whole salon"), {"fields": ["calendar_feed"]}))
            fieldsets.append((_("Team"), {"fields": ["invite_link"]}))
        return fieldsets

    @admin.display(description=gettext_lazy("Invite"))
    def invite_link(self, business: Business) -> str:
        url = reverse("admin:businesses_business_invite", args=[business.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Invite a team member"))

    def get_urls(self):
        invite = self.admin_site.admin_view(self.invite_view)
        return [
            path("<path:object_id>/invite/", invite, name="businesses_business_invite"),
            *super().get_urls(),
        ]

    def invite_view(self, request, object_id):
        business = self.get_object(request, object_id)
        if not may_manage_team(request.user, business):
            raise PermissionDenied
        form = InviteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                membership = member_invite(business=business, by=request.user, **form.cleaned_data)
            except InvalidInput as error:
                for field, messages_ in (error.fields or {}).items():
                    form.add_error(field if field in form.fields else None, messages_)
            else:
                message = _("Invited %(email)s: on the team now, and told by e-mail.")
                self.message_user(request, message % {"email": membership.user.email})
                return redirect("admin:businesses_business_change", business.pk)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "business": business,
            "opts": self.opts,
            # Translators: the name of a salon.
            "title": _("Invite a team member to %(salon)s") % {"salon": business.name},
        }
        return TemplateResponse(request, "admin/businesses/business/invite.html", context)

    @admin.display(description=gettext_lazy("Feed link"))
    def calendar_feed(self, business: Business) -> str:
        return calendar_feed_field(business)

    def feeds_of(self, queryset) -> list:
        return [feed_for(business) for business in queryset]

    @admin.display(description=gettext_lazy("Embed code (copy onto your website)"))
    def embed_snippet(self, business: Business) -> str:
        if business.pk is None:
            return _("Save the salon first.")
        from django.utils.html import format_html

        from widget.framing import embed_snippet

        return format_html(
            '<textarea readonly rows="3" cols="90" onclick="this.select()">{}</textarea>', embed_snippet(business)
        )

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        help_text=gettext_lazy("They get an e-mail with a link to the admin (and to choose a password)."),
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=BusinessMembership.Role.choices, initial=BusinessMembership.Role.STAFF
    )


class StaffMemberForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean() or {}
        business = cleaned.get("business")
        foreign = [s for s in cleaned.get("services", []) if business and s.business_id != business.pk]
        if foreign:
            raise ValidationError({"services": _("Choose services of this staff member's own salon.")})
        return cleaned


class WorkingHoursInline(ScopedInlineMixin, admin.TabularInline):
    model = WorkingHours
    formset = WeeklyHoursFormSet
    extra = 0


@admin.register(StaffMember)
class StaffMemberAdmin(CalendarFeedActions, BusinessScopedAdmin):
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

    actions = ["new_calendar_feed_link"]

    def get_readonly_fields(self, request, obj=None):
        fields = [] if request.user.is_superuser else ["user"]
        if obj is not None and (obj.user_id == request.user.pk or may_edit(request.user, obj.business, OWNER)):
            fields.append("calendar_feed")  # their own feed, or an owner's look at anyone's
        return fields

    @admin.display(description=gettext_lazy("Calendar feed"))
    def calendar_feed(self, member: StaffMember) -> str:
        return calendar_feed_field(member.business, member)

    def feeds_of(self, queryset) -> list:
        return [feed_for(member.business, member) for member in queryset.select_related("business")]


@admin.register(Service)
class ServiceAdmin(BusinessScopedAdmin):
    list_display = ["name", "business", "duration", "price", "processing_duration", "resource_kinds", "is_active"]
    list_filter = ["is_active", ("business", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "description"]
    fieldsets = [
        (None, {"fields": ["business", "name", "description", "duration", "price", "is_active", "position"]}),
        (gettext_lazy("Preparation and clean-up"), {"fields": ["buffer_before", "buffer_after"]}),
        (
            gettext_lazy("Processing time and resources"),
            {
                "fields": ["processing_offset", "processing_duration", "resource_kinds"],
                "description": gettext_lazy(
                    "While a colour develops the stylist may serve someone else; the client keeps "
                    "the chair and the resources (one of each kind listed, e.g. basin) for the whole service."
                ),
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
