from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from businesses.admin_scoping import EVERY_ROLE, OWNER, BusinessScopedAdmin, may_edit
from businesses.selectors import businesses_of_member
from customers.models import CustomerAccount, CustomerBusinessRelationship, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """People who sign in; only superusers manage them (they span every salon)."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal info", {"fields": ["first_name", "last_name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class RelationshipInline(admin.TabularInline):
    model = CustomerBusinessRelationship
    extra = 0
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


@admin.register(CustomerBusinessRelationship)
class CustomerBusinessRelationshipAdmin(BusinessScopedAdmin):
    editing_roles = EVERY_ROLE
    list_display = ["customer", "business", "total_visits", "total_spent", "loyalty_points", "last_visit_at"]
    list_filter = [("business", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["customer__email", "customer__first_name", "customer__last_name"]
    # The contact details staff entered when booking (shown so staff see where this salon's
    # texts go; changed by booking again with new details, which normalises the number).
    readonly_fields = [
        "customer",
        "business",
        "first_name",
        "last_name",
        "phone",
        "total_visits",
        "total_spent",
        "first_visit_at",
        "last_visit_at",
    ]
    fields = [
        "customer",
        "business",
        "first_name",
        "last_name",
        "phone",
        "total_visits",
        "total_spent",
        "loyalty_points",
        "first_visit_at",
        "last_visit_at",
        "notes",
    ]

    def get_readonly_fields(self, request, obj=None):
        # Loyalty points are money's worth: staff add notes, only owners adjust points.
        if obj is not None and may_edit(request.user, obj.business, OWNER):
            return self.readonly_fields
        return [*self.readonly_fields, "loyalty_points"]

    def has_add_permission(self, request):
        # Relationships are made by the first booking (booking services), not by hand.
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
