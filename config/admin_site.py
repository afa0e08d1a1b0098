"""The admin site: password sign-in only, never a session opened by a customer's code."""

from django.contrib import admin

from customers.credentials import is_customer_only


class ChairtimeAdminSite(admin.AdminSite):
    def has_permission(self, request):
        # A session opened by a customer's code never reaches the admin (customers/credentials.py).
        return super().has_permission(request) and not is_customer_only(request)
