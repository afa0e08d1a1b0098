from django.contrib.admin.apps import AdminConfig


class ChairtimeAdminConfig(AdminConfig):
    """Django's admin on our site class (imported once the apps are ready: it reads models)."""

    default_site = "config.admin_site.ChairtimeAdminSite"
