from collections.abc import Callable
from typing import cast

from django import forms
from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from booking.admin_forms import AppointmentBookForm, AppointmentChangeForm
from booking.models import Appointment, AppointmentHistory, Notification, WaitlistEntry, WaitlistOffer
from booking.services import (
    actor_for,
    appointment_cancel,
    appointment_complete,
    appointment_mark_no_show,
    notification_resend,
)
from businesses.admin_scoping import EVERY_ROLE, BusinessScopedAdmin
from businesses.models import Service, StaffMember
from businesses.selectors import businesses_in_admin, only_business, within_own_columns
from config.errors import DomainError
from config.locale_format import pattern_date
from customers.models import CustomerBusinessRelationship


class RecordInline(admin.TabularInline):
    """A record of what happened to an appointment: shown, never edited here."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class HistoryInline(RecordInline):
    model = AppointmentHistory
    fields = ["created_at", "action", "actor_label", "old_start", "new_start", "old_status", "new_status", "note"]


class NotificationInline(RecordInline):
    model = Notification
    fields = ["kind", "channel", "sequence", "recipient", "status", "attempts", "last_error", "sent_at"]


@admin.register(Notification)
class NotificationAdmin(BusinessScopedAdmin):
    business_lookup = "appointment__business"
    editing_roles = EVERY_ROLE
    list_display = ["appointment", "kind", "channel", "sequence", "recipient", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["recipient", "appointment__customer__email"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Resend the selected messages"))
    def resend(self, request, queryset):
        count = 0
        for notification in queryset:
            notification_resend(notification=notification)
            count += 1
        message = ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


class OfferInline(RecordInline):
    model = WaitlistOffer
    fields = ["created_at", "start", "staff", "expires_at", "status", "offered_by"]


WAITLIST_FIELDS = (
    "business",
    "customer",
    "service",
    "staff",
    "windows",
    "last_date",
    "status",
    "appointment",
    "created_at",
)


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(BusinessScopedAdmin):
    """Who waits for what (read here; offered times by hand from the calendar's day)."""

    editing_roles = EVERY_ROLE
    list_display = ["created_at", "customer", "service", "staff", "last_date", "status"]
    list_filter = [
        "status",
        ("service", admin.RelatedOnlyFieldListFilter),
        ("business", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["customer__email", "customer__first_name", "customer__last_name"]
    list_select_related = ["customer", "service", "staff"]
    fields = (
        "business",
        "customer",
        "service",
        "staff",
        "windows",
        "last_date",
        "status",
        "appointment",
        "created_at",
    )
    readonly_fields = fields
    inlines = [OfferInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# What the appointment actions say when done.


def cancelled_message(count: int) -> str:
    message = ngettext("%(count)d appointment cancelled.", "%(count)d appointments cancelled.", count)
    return message % {"count": count}


def completed_message(count: int) -> str:
    message = ngettext("%(count)d appointment completed.", "%(count)d appointments completed.", count)
    return message % {"count": count}


def no_show_message(count: int) -> str:
    message = ngettext(
        "%(count)d appointment marked as no-show.",
        "%(count)d appointments marked as no-show.",
        count,
    )
    return message % {"count": count}


# What CustomerBusinessRelationship.warnings reads.
WARNING_FIELDS = ("allergies", "patch_test_required", "patch_test_on")


@admin.register(Appointment)
class AppointmentAdmin(BusinessScopedAdmin):
    editing_roles = EVERY_ROLE
    list_display = ["local_start_display", "customer", "service", "staff", "status", "source", "price", "warnings"]
    list_filter = [
        "status",
        "source",
        ("staff", admin.RelatedOnlyFieldListFilter),
        ("service", admin.RelatedOnlyFieldListFilter),
        ("business", admin.RelatedOnlyFieldListFilter),
    ]
    date_hierarchy = "start"
    search_fields = ["customer__email", "customer__first_name", "customer__last_name", "customer__phone", "notes"]
    list_select_related = ["business", "customer", "service", "staff"]
    inlines = [HistoryInline, NotificationInline]
    actions = ["cancel_selected", "complete_selected", "mark_no_show_selected"]
    add_fieldsets = [
        (None, {"fields": ["business", "service", "staff", "date", "time"]}),
        (
            gettext_lazy("Customer"),
            {"fields": ["customer_email", "customer_first_name", "customer_last_name", "customer_phone"]},
        ),
        (None, {"fields": ["notes"]}),
    ]
    change_readonly_fields = [
        "business",
        "customer",
        "warnings",
        "service",
        "staff",
        "local_start_display",
        "end",
        "status",
        "price",
        "duration",
        "source",
        "sequence",
        "cancel_reason",
        "created_at",
        "updated_at",
    ]
    change_fieldsets = [
        (None, {"fields": change_readonly_fields}),
        (gettext_lazy("Notes"), {"fields": ["notes"]}),
        (gettext_lazy("Reschedule"), {"fields": ["reschedule_date", "reschedule_time", "reschedule_staff"]}),
    ]

    def get_queryset(self, request):
        # A stylist the owner limited to their own column sees only their appointments here too.
        queryset = super().get_queryset(request).filter(within_own_columns(request.user))
        # The client's allergy and patch-test flags at this salon, for the warnings column.
        record = CustomerBusinessRelationship.objects.filter(
            customer=OuterRef("customer"), business=OuterRef("business")
        )
        return queryset.annotate(**{f"client_{name}": Subquery(record.values(name)[:1]) for name in WARNING_FIELDS})

    @admin.display(description=gettext_lazy("Client warnings"))
    def warnings(self, appointment: Appointment) -> str:
        flags = {name: getattr(appointment, f"client_{name}", None) for name in WARNING_FIELDS}
        record = CustomerBusinessRelationship(**{name: value for name, value in flags.items() if value is not None})
        return "; ".join(record.warnings) or "—"

    @admin.display(description=gettext_lazy("Start (salon time)"), ordering="start")
    def local_start_display(self, appointment: Appointment) -> str:
        local = timezone.localtime(appointment.start, appointment.business.zone)
        # "Tue 03 Mar 2026 10:00 GMT" in English (strftime's "%a %d %b %Y %H:%M"), the day and month in the
        # reader's language.
        day = pattern_date(local.date(), "EEE dd MMM yyyy")
        return f"{day} {local:%H:%M} {local.tzname()}"

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.change_fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.change_readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = AppointmentBookForm if obj is None else AppointmentChangeForm
        form = cast(
            type[AppointmentBookForm | AppointmentChangeForm], super().get_form(request, obj, change, **kwargs)
        )
        form.user = request.user
        form.refusal = getattr(request, "booking_refusal", None)
        businesses = businesses_in_admin(request.user)
        scoped = {
            "business": businesses,
            "service": Service.objects.filter(business__in=businesses, is_active=True),
            "staff": StaffMember.objects.filter(business__in=businesses, is_active=True),
            "reschedule_staff": StaffMember.objects.filter(business=obj.business_id, is_active=True) if obj else None,
        }
        for name, queryset in scoped.items():
            field = form.base_fields.get(name)
            if isinstance(field, forms.ModelChoiceField) and queryset is not None:
                field.queryset = queryset
        return form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        salon = only_business(request.user)
        if salon is not None and "business" not in initial:  # one salon: nothing to choose
            initial["business"] = str(salon.pk)
        return initial

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as refusal:
            # The service refused (the admin's transaction rolled back): show the same form
            # again, with the service's message as its error.
            request.booking_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_form(self, request, form, change):
        # Book or reschedule through the services (the form only validated).
        return form.apply()

    def save_related(self, request, form, formsets, change):
        # The form never went through ModelForm.save() (no save_m2m), and an appointment has
        # no many-to-many fields: only the (read-only) inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_model(self, request, obj, form, change):
        # Booking and rescheduling happened in save_form, through the services.
        if change and "notes" in form.changed_data:
            obj.save(update_fields=["notes", "updated_at"])

    def has_delete_permission(self, request, obj=None):
        # Appointments are cancelled, never deleted: their history is the salon's record.
        return request.user.is_superuser

    def run_service(self, request, queryset, service, done: Callable[[int], str]) -> None:
        """Apply `service` to each appointment; `done(count)` says how many it changed."""
        succeeded, refused = 0, []
        for appointment in queryset.select_related("business"):
            try:
                service(appointment=appointment, by=actor_for(request.user, appointment.business))
                succeeded += 1
            except DomainError as error:
                # Translators: an appointment's start, then why it could not be changed.
                line = _("%(start)s: %(reason)s") % {
                    "start": self.local_start_display(appointment),
                    "reason": error.message,
                }
                refused.append(line)
        if succeeded:
            self.message_user(request, done(succeeded), messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description=gettext_lazy("Cancel selected appointments"))
    def cancel_selected(self, request, queryset):
        self.run_service(request, queryset, appointment_cancel, cancelled_message)

    @admin.action(description=gettext_lazy("Mark selected appointments completed"))
    def complete_selected(self, request, queryset):
        self.run_service(request, queryset, appointment_complete, completed_message)

    @admin.action(description=gettext_lazy("Mark selected appointments as no-show"))
    def mark_no_show_selected(self, request, queryset):
        self.run_service(request, queryset, appointment_mark_no_show, no_show_message)
