"""The admin site: Chairtime's front desk. Password sign-in only, never a session opened by
a customer's code; the calendar, reports and clients come first."""

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property

from businesses.selectors import only_business
from customers.credentials import is_customer_only


class ChairtimeAdminSite(admin.AdminSite):
    site_header = "Chairtime"
    site_title = "Chairtime"
    index_title = "Front desk"

    def has_permission(self, request):
        # A session opened by a customer's code never reaches the admin (customers/credentials.py).
        return super().has_permission(request) and not is_customer_only(request)

    def get_urls(self):
        from frontdesk.urls import front_desk_urls

        return [*front_desk_urls(self.admin_view), *super().get_urls()]

    def salon_in_scope(self, request):
        """The user's salon when they work for exactly one (the admin then wears its name)."""
        if not getattr(request, "user", None) or not request.user.is_authenticated:
            return None
        if not hasattr(request, "_admin_salon"):
            request._admin_salon = only_business(request.user)
        return request._admin_salon

    def each_context(self, request):
        context = super().each_context(request)
        salon = self.salon_in_scope(request)
        if salon is not None:
            context["site_header"] = f"Chairtime · {salon.name}"
        context["admin_salon"] = salon
        return context

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        if app_label is None and self.has_permission(request):
            return [self.front_desk_app, *apps]
        return apps

    @cached_property
    def front_desk_app(self) -> dict:
        """The calendar, reports and clients, first on the index and in the sidebar."""

        def entry(name: str, url_name: str) -> dict:
            try:
                url = reverse(f"{self.name}:{url_name}", current_app=self.name)
            except NoReverseMatch:
                url = None
            return {
                "name": name,
                "object_name": name.replace(" ", ""),
                "admin_url": url,
                "add_url": None,
                "view_only": True,
                "perms": {"add": False, "change": False, "delete": False, "view": True},
            }

        return {
            "name": "Front desk",
            "app_label": "frontdesk",
            "app_url": reverse(f"{self.name}:frontdesk-calendar", current_app=self.name),
            "has_module_perms": True,
            "models": [
                entry("Calendar", "frontdesk-calendar"),
                entry("Reports", "frontdesk-reports"),
                entry("Clients", "customers_customerbusinessrelationship_changelist"),
            ],
        }
