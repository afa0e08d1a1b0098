from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Bookings"

    def ready(self) -> None:
        # Register the Celery tasks in every process (web too): services queue them by name
        # (booking/queue.py), and Celery's autodiscovery runs only when a worker starts.
        from booking import tasks  # noqa: F401
