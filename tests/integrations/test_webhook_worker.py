"""A real Celery worker on the machine's Redis delivers webhooks, and retries a 500 on its
own (its retry task, with an eta), in order."""

from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook

from booking.services import Actor, appointment_book, appointment_cancel
from integrations.models import WebhookAttempt, WebhookDelivery
from tests.api_helpers import client_for
from tests.booking.test_celery_worker import wait_for, worker  # noqa: F401 (the fixture)
from tests.integrations.receiver import start_receiver

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_env() -> dict[str, str]:
    return {"WEBHOOK_FIRST_RETRY_SECONDS": "2"}


def test_the_worker_retries_a_500_and_keeps_the_order(worker, alice, salon, staff, services, dana):  # noqa: F811
    receiver, server = start_receiver()
    try:
        events = ["appointment.created", "appointment.cancelled"]
        response = client_for(alice).post(
            f"/api/business/{salon.pk}/webhooks", {"url": receiver.url, "events": events}, format="json"
        )
        secret = response.json()["secret"]
        receiver.answers = [500]
        salon.refresh_from_db()
        appointment = appointment_book(
            business=salon,
            service=services[0],
            staff=staff[0],
            start=datetime(2030, 3, 4, 10, tzinfo=UTC),
            by=Actor.system(),
            customer=dana,
        )
        assert wait_for(lambda: len(receiver.requests) >= 1), "the worker sent nothing"
        appointment_cancel(appointment=appointment, by=Actor.system())
        assert wait_for(lambda: len(receiver.requests) >= 3, 30), receiver.requests
    finally:
        server.shutdown()
        server.server_close()
    types = [Webhook(secret).verify(r.body, r.headers)["type"] for r in receiver.requests]
    assert types == ["appointment.created", "appointment.created", "appointment.cancelled"]
    assert wait_for(lambda: set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"})
    assert list(WebhookAttempt.objects.order_by("started_at", "id").values_list("status_code", flat=True)) == [
        500,
        200,
        200,
    ]
