from django.apps import AppConfig


class FrontdeskConfig(AppConfig):
    """The salon's front desk inside the admin: calendar, walk-ins, reports (no models)."""

    name = "frontdesk"
    verbose_name = "Front desk"
