"""The admin site: password sign-in only, never a session opened by a customer's code."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

# Set on sessions opened by the customer code sign-in (portal/sign_in.py). Code sign-in
# refuses staff accounts; this keeps such a session out of the admin even if its user is
# given staff rights later.
CUSTOMER_ONLY_SESSION = "chairtime_customer_only"


class ChairtimeAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and not request.session.get(CUSTOMER_ONLY_SESSION)


class ChairtimeAdminConfig(AdminConfig):
    default_site = "config.admin_site.ChairtimeAdminSite"
