"""The notification outbox: a booking whose broker is down at commit still stands, and beat's
sweeper delivers its messages later, once each."""

import socket
import time
from datetime import timedelta

import pytest
from django.core import mail

from booking.models import Notification
from booking.tasks import sweep_notifications
from config.celery import app
from tests.booking.test_celery_worker import forget_connections
from tests.booking.test_notifications import book

pytestmark = pytest.mark.django_db(transaction=True)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def broker_down():
    """Celery publishing to a Redis that is not there (a real connection refused)."""
    previous = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url=f"redis://127.0.0.1:{closed_port()}/0")
    forget_connections()
    try:
        yield
    finally:
        app.conf.update(previous)
        forget_connections()


def test_a_booking_stands_when_the_broker_is_down_and_the_sweeper_sends_later(
    api_client, alice, salon, staff, services, dana, broker_down
):
    api_client.force_authenticate(alice)
    started = time.monotonic()
    response = api_client.post(
        "/api/appointments/create",
        {
            "business_id": str(salon.pk),
            "service_id": str(services[0].pk),
            "staff_id": str(staff[0].pk),
            "start": "2030-03-04T10:00:00Z",
            "customer": {"email": dana.email},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert time.monotonic() - started < 10  # the broker's absence costs seconds, not a hung worker
    rows = Notification.objects.filter(appointment_id=response.json()["id"])
    assert [(r.kind, r.channel, r.status, r.attempts) for r in rows] == [("confirmation", "email", "pending", 0)]
    assert mail.outbox == []

    app.conf.update(task_always_eager=True)  # the broker is back (in-process for this test)
    assert sweep_notifications() == 0  # too early: its task may still be on its way
    rows.update(created_at=rows.get().created_at - timedelta(minutes=3))  # a while later
    assert sweep_notifications() == 1
    assert [m.to for m in mail.outbox] == [[dana.email]]
    assert rows.get().status == "sent"
    assert sweep_notifications() == 0  # nothing left: sent once
    assert len(mail.outbox) == 1


def test_every_message_is_in_the_outbox_before_its_task_runs(salon, staff, services, dana, broker_down):
    appointment = book(salon, services[0], staff[0], dana)
    assert Notification.objects.filter(appointment=appointment, status="pending").count() == 1
