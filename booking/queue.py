"""How booking services hand work to Celery: by task name, after the transaction commits.

Services must not import booking.tasks (the tasks call the services), so they queue
through this module, which knows the tasks only by name.
"""

from config.celery import app, enqueue_on_commit

SEND_APPOINTMENT_NOTIFICATION = "booking.send_appointment_notification"
OFFER_WAITLIST = "booking.offer_waitlist"
SEND_WAITLIST_OFFER = "booking.send_waitlist_offer"


def queue_appointment_notification(appointment_id: str, kind: str, sequence: int) -> None:
    """Send the messages of `kind` about version `sequence` once the transaction commits."""
    enqueue_on_commit(app.tasks[SEND_APPOINTMENT_NOTIFICATION], appointment_id, kind, sequence)


def queue_waitlist_look(business_id: object) -> None:
    """Once the transaction commits, look for times to offer those waiting at this salon (a
    change may have freed one); never blocks or fails the change, and beat's sweeper looks
    every minute anyway (booking.waitlist)."""
    enqueue_on_commit(app.tasks[OFFER_WAITLIST], str(business_id))


def queue_waitlist_offer(offer_id: str) -> None:
    """Send a waitlist offer's messages once the transaction commits."""
    enqueue_on_commit(app.tasks[SEND_WAITLIST_OFFER], offer_id)
