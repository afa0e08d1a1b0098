"""The Celery app. With CELERY_BROKER_URL tasks go to real workers; without, in-process.

In-process mode (settings: CELERY_TASK_ALWAYS_EAGER) runs a task right where it is
queued. Services queue with `enqueue_on_commit`, so that is after the transaction
commits; a failing task is logged and its result recorded, never raised into the
request, and it gets exactly one attempt (no retries that would block the request).
"""

import logging
import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger(__name__)


class ChairtimeTask(Task):
    def retry(self, *args, **kwargs):
        if self.app.conf.task_always_eager:
            # One attempt in-process: re-raise so the failure is recorded, not retried inline.
            exc = kwargs.get("exc")
            raise exc if exc is not None else RuntimeError(f"{self.name} failed")
        return super().retry(*args, **kwargs)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        logger.error("task %s[%s] failed: %r", self.name, task_id, exc, exc_info=exc)


app = Celery("chairtime", task_cls=ChairtimeTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def enqueue_on_commit(task, *args) -> None:
    """Queue `task(*args)` once the current transaction commits (at once outside one).

    Robust: a broker that cannot be reached is logged, never raised into the request whose
    work has already committed; what the task would have done is in the database (the
    notification outbox), and beat's sweeper queues it again (booking.sweep_notifications).
    """
    from django.db import transaction

    transaction.on_commit(lambda: task.delay(*args), robust=True)
