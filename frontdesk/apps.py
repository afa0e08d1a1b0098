from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class FrontdeskConfig(AppConfig):
    """The salon's front desk inside the admin: calendar, walk-ins, reports (no models)."""

    name = "frontdesk"
    verbose_name = gettext_lazy("Front desk")
