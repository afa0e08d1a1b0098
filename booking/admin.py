from django.contrib import admin
from django.utils import timezone

from booking.models import Appointment, AppointmentHistory
from businesses.admin_scoping import EVERY_ROLE, BusinessScopedAdmin


class HistoryInline(admin.TabularInline):
    model = AppointmentHistory
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "actor_label", "old_start", "new_start", "old_status", "new_status", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Appointment)
class AppointmentAdmin(BusinessScopedAdmin):
    editing_roles = EVERY_ROLE
    list_display = ["local_start_display", "customer", "service", "staff", "status", "source", "price"]
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
    inlines = [HistoryInline]
    readonly_fields = [
        "business",
        "customer",
        "service",
        "staff",
        "start",
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
    fields = [*readonly_fields[:11], "notes", *readonly_fields[11:]]

    @admin.display(description="Start (salon time)", ordering="start")
    def local_start_display(self, appointment: Appointment) -> str:
        local = timezone.localtime(appointment.start, appointment.business.zone)
        return f"{local:%a %d %b %Y %H:%M} {local.tzname()}"

    def has_add_permission(self, request):
        # Booking goes through the booking services (availability, locks, history).
        return False

    def has_delete_permission(self, request, obj=None):
        # Appointments are cancelled, never deleted: their history is the salon's record.
        return request.user.is_superuser
