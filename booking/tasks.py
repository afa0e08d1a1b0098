from booking.services import appointments_auto_complete
from config.celery import app


@app.task(name="booking.auto_complete_appointments")
def auto_complete_appointments() -> int:
    """Beat runs this every 15 minutes (settings.CELERY_BEAT_SCHEDULE); safe to run twice."""
    return appointments_auto_complete()
