from django.contrib import admin
from django.contrib.admin.widgets import AdminTextareaWidget
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from booking.models import Appointment
from booking.selectors import customer_appointments
from businesses.admin_scoping import EVERY_ROLE, OWNER, BusinessScopedAdmin, ScopedInlineMixin, may_edit
from businesses.selectors import businesses_of_member
from config.admin_site import ChairtimeAdminSite
from config.locale_format import pattern_date
from customers.models import ClientNote, CustomerAccount, CustomerBusinessRelationship, User
from customers.selectors import client_phone_match


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """People who sign in; only superusers manage them (they span every salon)."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (gettext_lazy("Personal info"), {"fields": ["first_name", "last_name"]}),
        (
            gettext_lazy("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (gettext_lazy("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class RelationshipInline(admin.TabularInline):
    model = CustomerBusinessRelationship
    extra = 0
    show_change_link = True  # to the salon's client card
    fields = ["business", "total_visits", "total_spent", "loyalty_points", "last_visit_at"]
    readonly_fields = ["business", "total_visits", "total_spent", "loyalty_points", "last_visit_at"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(business__in=businesses_of_member(request.user))

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CustomerAccount)
class CustomerAccountAdmin(BusinessScopedAdmin):
    """Staff see the customers of their salons; the account itself spans salons, so only
    superusers edit it (salon notes live on the relationship)."""

    business_lookup = "business_relationships__business"
    list_display = ["email", "first_name", "last_name", "phone", "created_at"]
    search_fields = ["email", "first_name", "last_name", "phone"]
    readonly_fields = ["user", "created_at"]
    inlines = [RelationshipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


PAST_SHOWN = 20


def no_shows_here() -> Coalesce:
    """No-shows of the relationship's customer at the relationship's salon (never another's),
    as a subquery: one number per row, no join that would multiply rows or need GROUP BY."""
    no_shows = (
        Appointment.objects.filter(
            customer=OuterRef("customer"), business=OuterRef("business"), status=Appointment.Status.NO_SHOW
        )
        .order_by()
        .values("customer")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(no_shows, output_field=IntegerField()), 0)


def appointments_table(appointments: list[Appointment], relationship: CustomerBusinessRelationship) -> SafeString:
    """A small table of appointments, in the salon's clock, each linking to its front-desk panel."""
    zone, currency = relationship.business.zone, relationship.business.currency

    def when(appointment: Appointment) -> str:
        # "Tue 03 Mar 2026 10:00" in English (strftime's "%a %d %b %Y %H:%M"), the day and month in the
        # reader's language.
        local = timezone.localtime(appointment.start, zone)
        return f"{pattern_date(local.date(), 'EEE dd MMM yyyy')} {local:%H:%M}"

    rows = format_html_join(
        "",
        '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td></tr>',
        (
            (
                reverse("admin:frontdesk-appointment", args=[appointment.pk]),
                when(appointment),
                appointment.service.name,
                appointment.staff.name,
                appointment.get_status_display(),
                appointment.price,
                currency,
            )
            for appointment in appointments
        ),
    )
    return format_html(
        '<table class="client-appointments"><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
        '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        _("When"),
        _("Service"),
        # Translators: a column heading: the staff member the appointment is with.
        _("With"),
        _("Status"),
        _("Price"),
        rows,
    )


class ClientNoteFormSet(BaseInlineFormSet):
    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        total = f"{self.prefix}-TOTAL_FORMS"
        if self.is_bound and total not in self.data:
            # A card posted without its notes part (a page from before notes, a script)
            # adds and deletes no note, instead of refusing the contact and care fields too.
            self.data = {**self.data, total: "0", f"{self.prefix}-INITIAL_FORMS": "0"}


class ClientNoteInline(ScopedInlineMixin, admin.TabularInline):
    """Dated, signed notes (a colour formula, a preference). Any member adds one; a note
    stays as written (no editing someone else's words); only owners delete."""

    model = ClientNote
    formset = ClientNoteFormSet
    editing_roles = EVERY_ROLE
    extra = 1
    fields = ["written_on", "text", "written_by"]
    readonly_fields = ["written_by"]
    formfield_overrides = {models.TextField: {"widget": AdminTextareaWidget(attrs={"rows": 2})}}

    # Translators: a column heading: who wrote the note.
    @admin.display(description=gettext_lazy("By"))
    def written_by(self, note: ClientNote) -> str:
        return note.author_label

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return may_edit(request.user, self.parent_business(obj) if obj else None, OWNER)


@admin.register(CustomerBusinessRelationship)
class CustomerBusinessRelationshipAdmin(BusinessScopedAdmin):
    """The salon's client list and client card (a client is a customer at one salon)."""

    editing_roles = EVERY_ROLE
    list_display = [
        "client_name",
        "client_phone",
        "client_email",
        "total_visits",
        "total_spent",
        "loyalty_points",
        "no_show_count",
        "last_visit_at",
        "client_warnings",
    ]
    list_select_related = ["customer", "business"]
    list_filter = [("business", admin.RelatedOnlyFieldListFilter)]
    ordering = ["last_name", "first_name", "customer__last_name", "customer__first_name"]
    search_fields = [
        "first_name",
        "last_name",
        "phone",
        "customer__email",
        "customer__first_name",
        "customer__last_name",
        "customer__phone",
    ]
    inlines = [ClientNoteInline]
    # The contact details staff entered when booking (shown so staff see where this salon's
    # texts go; changed by booking again with new details, which normalises the number).
    readonly_fields = [
        "customer",
        "business",
        "first_name",
        "last_name",
        "phone",
        "account_email",
        "account_phone",
        "total_visits",
        "total_spent",
        "no_show_count",
        "first_visit_at",
        "last_visit_at",
        "upcoming_appointments",
        "past_appointments",
    ]
    fieldsets = [
        (
            gettext_lazy("Contact"),
            {"fields": ["customer", "business", "first_name", "last_name", "phone", "account_email", "account_phone"]},
        ),
        # Translators: a heading over a client's allergies, patch tests and notes.
        (gettext_lazy("Care"), {"fields": ["allergies", "patch_test_required", "patch_test_on", "notes"]}),
        (
            gettext_lazy("Visits"),
            {
                "fields": [
                    "total_visits",
                    "total_spent",
                    "loyalty_points",
                    "no_show_count",
                    "first_visit_at",
                    "last_visit_at",
                ]
            },
        ),
        (gettext_lazy("Appointments here"), {"fields": ["upcoming_appointments", "past_appointments"]}),
    ]

    formfield_overrides = {models.TextField: {"widget": AdminTextareaWidget(attrs={"rows": 3})}}

    class Media:
        css = {"all": ["css/frontdesk.css"]}  # .client-warnings

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(no_shows=no_shows_here())

    def get_list_display(self, request):
        # A member of one salon knows whose clients these are; superusers and members of
        # several salons need the column.
        one_salon = isinstance(self.admin_site, ChairtimeAdminSite) and self.admin_site.salon_in_scope(request)
        return self.list_display if one_salon else [*self.list_display, "business"]

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        by_phone = client_phone_match(search_term)
        if by_phone is not None:
            results |= queryset.filter(by_phone)
        return results, may_have_duplicates

    def get_readonly_fields(self, request, obj=None):
        # Loyalty points are money's worth: staff add notes, only owners adjust points.
        if obj is not None and may_edit(request.user, obj.business, OWNER):
            return self.readonly_fields
        return [*self.readonly_fields, "loyalty_points"]

    def save_formset(self, request, form, formset, change):
        if formset.model is not ClientNote:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for note in formset.new_objects:
            note.author = request.user
            note.author_label = request.user.get_full_name() or request.user.email
            note.save()
        for note in formset.deleted_objects:
            note.delete()
        return None

    def has_add_permission(self, request):
        # Relationships are made by the first booking (booking services), not by hand.
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description=gettext_lazy("Name"))
    def client_name(self, relationship: CustomerBusinessRelationship) -> str:
        return relationship.display_name

    @admin.display(description=gettext_lazy("Phone"))
    def client_phone(self, relationship: CustomerBusinessRelationship) -> str:
        return relationship.phone or relationship.customer.phone

    @admin.display(description=gettext_lazy("Email"), ordering="customer__email")
    def client_email(self, relationship: CustomerBusinessRelationship) -> str:
        return relationship.customer.email or ""

    @admin.display(description=gettext_lazy("No-shows"), ordering="no_shows")
    def no_show_count(self, relationship: CustomerBusinessRelationship) -> int:
        return getattr(relationship, "no_shows", 0)

    @admin.display(description=gettext_lazy("Warnings"))
    def client_warnings(self, relationship: CustomerBusinessRelationship) -> str:
        if not relationship.warnings:
            return ""
        return format_html(
            '<span class="client-warnings">⚠ {}</span>', Truncator("; ".join(relationship.warnings)).chars(80)
        )

    @admin.display(description=gettext_lazy("Email (account)"))
    def account_email(self, relationship: CustomerBusinessRelationship) -> str:
        return relationship.customer.email or "—"

    @admin.display(description=gettext_lazy("Phone (account)"))
    def account_phone(self, relationship: CustomerBusinessRelationship) -> str:
        return relationship.customer.phone or "—"

    # Translators: a heading: the client's upcoming appointments at this salon.
    @admin.display(description=gettext_lazy("Upcoming"))
    def upcoming_appointments(self, relationship: CustomerBusinessRelationship) -> str:
        upcoming = list(self.appointments_here(relationship, "upcoming"))
        return appointments_table(upcoming, relationship) if upcoming else _("None booked.")

    # Translators: a heading: the client's past appointments at this salon.
    @admin.display(description=gettext_lazy("Past"))
    def past_appointments(self, relationship: CustomerBusinessRelationship) -> str:
        past = list(self.appointments_here(relationship, "past")[: PAST_SHOWN + 1])
        if not past:
            return _("None yet.")
        table = appointments_table(past[:PAST_SHOWN], relationship)
        more = ""
        if len(past) > PAST_SHOWN:
            # Translators: below a table of a client's past appointments: how many of them it shows.
            more = ngettext("Showing the latest %(count)d.", "Showing the latest %(count)d.", PAST_SHOWN)
            more %= {"count": PAST_SHOWN}
        return format_html("{}{}", table, more)

    def appointments_here(self, relationship: CustomerBusinessRelationship, status: str) -> QuerySet[Appointment]:
        return customer_appointments(
            relationship.customer, status=status, business_id=relationship.business_id, now=timezone.now()
        ).select_related("service", "staff")
