"""Celery tasks of the webhooks: take ids, call integrations.delivery; safe to run twice."""

from datetime import timedelta

from celery import Task
from django.conf import settings
from django.utils import timezone

from config.celery import app
from integrations import delivery
from integrations.events import DELIVER_WEBHOOKS

# Redis hands a task waiting longer than its visibility timeout to a second worker as well.
RETRY_TASK_LONGEST_WAIT = min(timedelta(minutes=10), timedelta(seconds=settings.CELERY_VISIBILITY_TIMEOUT / 2))


@app.task(name=DELIVER_WEBHOOKS, bind=True)
def deliver_webhooks(self: Task, endpoint_id: str, key: str) -> str:
    """Send one queue's due events in order; when its head must wait, come back then. (In
    process, without a broker, there is no coming back: the next event of that queue, or a
    resend from the admin, sends it.)"""
    outcome, retry_at = delivery.deliver_in_order(endpoint_id, key)
    # Longer waits than RETRY_TASK_LONGEST_WAIT are left to the sweeper.
    soon = retry_at is not None and retry_at - timezone.now() <= RETRY_TASK_LONGEST_WAIT
    if soon and not self.app.conf.task_always_eager:
        # The same task again, on the queue it came from, when its head is due.
        raise self.retry(eta=retry_at, max_retries=None)
    return outcome


@app.task(name="integrations.sweep_webhooks")
def sweep_webhooks() -> int:
    """Beat runs this every minute: queues whose head is due but whose task never ran."""
    found = delivery.due_queues(timezone.now())
    for endpoint_id, key in found:
        deliver_webhooks.delay(endpoint_id, key)
    return len(found)
