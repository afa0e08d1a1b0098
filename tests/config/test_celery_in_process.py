"""Without a broker, tasks run in-process after commit; a failure never reaches the caller."""

import pytest
from django.db import transaction

from config.celery import app, enqueue_on_commit

ran: list[str] = []


@app.task(name="tests.record")
def record(value: str) -> None:
    ran.append(value)


@app.task(name="tests.explode", bind=True, max_retries=3)
def explode(self) -> None:
    ran.append("attempt")
    raise self.retry(exc=ConnectionError("provider down"), countdown=60)


@pytest.fixture(autouse=True)
def _reset():
    ran.clear()


@pytest.mark.django_db(transaction=True)
def test_tasks_run_only_after_the_transaction_commits():
    with transaction.atomic():
        enqueue_on_commit(record, "booked")
        assert ran == []
    assert ran == ["booked"]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_runs_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(record, "booked")
        raise RuntimeError("booking failed")
    assert ran == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_task_gets_one_attempt_and_does_not_raise(caplog):
    with transaction.atomic():
        enqueue_on_commit(explode)
    assert ran == ["attempt"]
    assert "provider down" in caplog.text
