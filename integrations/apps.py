from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        # Services queue the delivery task by name (integrations/events.py); register it in
        # every process, as booking does.
        from integrations import tasks  # noqa: F401
