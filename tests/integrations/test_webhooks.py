"""Webhooks end to end: an owner subscribes over the API, bookings made through the API
reach a real HTTP receiver signed (verified with the standardwebhooks package), in order,
retried after a 500, and never for a change that rolled back."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import transaction
from standardwebhooks import Webhook

from booking.services import Actor, appointment_book
from businesses.models import Business
from integrations.delivery import deliver_in_order
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.tasks import sweep_webhooks
from tests.api_helpers import client_for, customer_client
from tests.integrations.receiver import start_receiver

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2030, 3, 1, 12, tzinfo=UTC)
MONDAY_10 = "2030-03-04T10:00:00+00:00"
EVERY_APPOINTMENT_EVENT = [
    "appointment.created",
    "appointment.rescheduled",
    "appointment.cancelled",
    "appointment.completed",
    "appointment.no_show",
]


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def receiver():
    found, server = start_receiver()
    yield found
    server.shutdown()
    server.server_close()


def subscribe(owner, business, url, events=EVERY_APPOINTMENT_EVENT) -> dict:
    response = client_for(owner).post(
        f"/api/business/{business.pk}/webhooks", {"url": url, "events": events}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def book_as_customer(salon, service, staff, start=MONDAY_10):
    client, _ = customer_client("erin@example.com")
    body = {"business_id": str(salon.pk), "service_id": str(service.pk), "staff_id": str(staff.pk), "start": start}
    response = client.post("/api/appointments/create", body, format="json")
    assert response.status_code == 201, response.content
    return client, response.json()


def verified(secret: str, request) -> dict:
    """The payload, if its signature verifies (standardwebhooks raises otherwise)."""
    return Webhook(secret).verify(request.body, request.headers)


def test_a_booking_reaches_the_endpoint_signed_in_the_api_shape(clock, alice, salon, staff, services, receiver):
    endpoint = subscribe(alice, salon, receiver.url)
    assert endpoint["secret"].startswith("whsec_")
    _, booked = book_as_customer(salon, services[0], staff[0])
    [request] = receiver.requests
    assert request.path == "/hooks/chairtime"
    event = verified(endpoint["secret"], request)
    assert event["type"] == "appointment.created"
    assert event["timestamp"] == "2030-03-01T12:00:00+00:00"
    assert event["data"] == booked  # exactly what the API answered
    assert request.headers["webhook-id"].startswith("msg_")
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 32).verify(request.body, request.headers)  # another secret does not verify
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert WebhookAttempt.objects.get().status_code == 200


def test_the_events_of_one_appointment_arrive_in_order(clock, alice, salon, staff, services, receiver):
    endpoint = subscribe(alice, salon, receiver.url)
    client, booked = book_as_customer(salon, services[0], staff[0])
    moved = client.put(
        f"/api/appointments/{booked['id']}/reschedule", {"start": "2030-03-04T11:00:00+00:00"}, format="json"
    )
    assert moved.status_code == 200, moved.content
    assert client.put(f"/api/appointments/{booked['id']}/cancel", {}, format="json").status_code == 200
    events = [verified(endpoint["secret"], request) for request in receiver.requests]
    assert [e["type"] for e in events] == ["appointment.created", "appointment.rescheduled", "appointment.cancelled"]
    assert [e["data"]["start"] for e in events] == [
        MONDAY_10,
        "2030-03-04T11:00:00+00:00",
        "2030-03-04T11:00:00+00:00",
    ]
    assert events[-1]["data"]["status"] == "cancelled"


def test_an_endpoint_gets_only_the_events_it_wants(clock, alice, salon, staff, services, receiver):
    endpoint = subscribe(alice, salon, receiver.url, events=["appointment.cancelled"])
    client, booked = book_as_customer(salon, services[0], staff[0])
    assert receiver.requests == []
    client.put(f"/api/appointments/{booked['id']}/cancel", {}, format="json")
    assert [verified(endpoint["secret"], r)["type"] for r in receiver.requests] == ["appointment.cancelled"]


def test_a_500_is_retried_later_and_holds_back_the_events_behind_it(clock, alice, salon, staff, services, receiver):
    endpoint = subscribe(alice, salon, receiver.url)
    receiver.answers = [500]
    client, booked = book_as_customer(salon, services[0], staff[0])
    client.put(f"/api/appointments/{booked['id']}/cancel", {}, format="json")
    assert len(receiver.requests) == 1  # the cancellation waits behind the failed creation
    created = WebhookDelivery.objects.get(event_type="appointment.created")
    assert (created.status, created.attempts) == ("pending", 1)
    assert NOW + timedelta(seconds=15) <= created.next_attempt_at <= NOW + timedelta(seconds=30)
    assert WebhookAttempt.objects.get().status_code == 500

    # Another task for this queue (a duplicate, the sweeper's) neither sends nor schedules more.
    assert deliver_in_order(str(created.endpoint_id), created.ordering_key) == ("waiting", None)
    clock.move_to(NOW + timedelta(seconds=29))
    assert sweep_webhooks() == 0  # not due yet (and its own retry task is not late)
    clock.move_to(NOW + timedelta(seconds=61))
    assert sweep_webhooks() == 0  # the cancellation is late, but it waits behind its queue's head
    clock.move_to(NOW + timedelta(minutes=2))
    assert sweep_webhooks() == 1  # in process the task runs here
    types = [verified(endpoint["secret"], request)["type"] for request in receiver.requests]
    assert types == ["appointment.created", "appointment.created", "appointment.cancelled"]
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    assert WebhookEndpoint.objects.get().failing_since is None


def test_a_rolled_back_booking_sends_nothing(clock, alice, salon, staff, services, dana, receiver):
    subscribe(alice, salon, receiver.url)
    salon.refresh_from_db()
    with pytest.raises(RuntimeError), transaction.atomic():
        appointment_book(
            business=salon,
            service=services[0],
            staff=staff[0],
            start=datetime(2030, 3, 4, 10, tzinfo=UTC),
            by=Actor(user=alice, label="desk", is_member=True),
            customer=dana,
        )
        assert WebhookDelivery.objects.count() == 1  # owed inside the transaction...
        raise RuntimeError("the booking fails after it was written")
    assert WebhookDelivery.objects.count() == 0  # ...and gone with it
    assert receiver.requests == []


def test_a_new_client_is_a_customer_created_event_once(clock, alice, salon, staff, services, receiver):
    endpoint = subscribe(alice, salon, receiver.url, events=["customer.created"])
    client = client_for(alice)
    for hour in ("10", "11"):
        body = {
            "business_id": str(salon.pk),
            "service_id": str(services[0].pk),
            "staff_id": str(staff[0].pk),
            "start": f"2030-03-04T{hour}:00:00+00:00",
            "customer": {"email": "walk.in@example.com", "first_name": "Wanda"},
        }
        assert client.post("/api/appointments/create", body, format="json").status_code == 201
    [request] = receiver.requests
    event = verified(endpoint["secret"], request)
    assert event["type"] == "customer.created"
    assert event["data"]["email"] == "walk.in@example.com"


def test_an_endpoint_failing_for_a_day_is_disabled_and_its_owner_emailed(
    clock, alice, salon, staff, services, receiver
):
    subscribe(alice, salon, receiver.url)
    receiver.answers = [503] * 100
    book_as_customer(salon, services[0], staff[0])
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.failing_since == NOW
    later = NOW
    while WebhookEndpoint.objects.get().is_active:
        later = WebhookDelivery.objects.get().next_attempt_at
        assert later <= NOW + timedelta(hours=27), "retried for about a day, then stopped"
        clock.move_to(later)
        deliver_in_order(str(endpoint.pk), WebhookDelivery.objects.get().ordering_key)
    assert later >= NOW + timedelta(hours=24)
    attempts = WebhookAttempt.objects.count()
    assert 10 <= attempts <= 25  # backoff: many tries early, then hours apart
    assert WebhookDelivery.objects.get().status == "failed"
    endpoint.refresh_from_db()
    assert "24 hours" in endpoint.disabled_reason
    assert Business.objects.get(pk=salon.pk).webhook_events == []  # nothing more is written for it
    [message] = [m for m in mail.outbox if m.subject == "Webhook endpoint disabled"]
    assert message.to == ["alice@alpha.example"] and receiver.url in message.body

    # Turned back on, it starts afresh.
    response = client_for(alice).patch(
        f"/api/business/{salon.pk}/webhooks/{endpoint.pk}", {"is_active": True}, format="json"
    )
    assert response.json()["is_active"] is True
    endpoint.refresh_from_db()
    assert (endpoint.failing_since, endpoint.disabled_reason) == (None, "")


def test_a_redirect_is_a_failure_and_is_not_followed(clock, alice, salon, staff, services, receiver):
    subscribe(alice, salon, receiver.url)
    receiver.answers = [302]
    receiver.headers = {"Location": "http://127.0.0.1:9/elsewhere"}
    book_as_customer(salon, services[0], staff[0])
    assert len(receiver.requests) == 1
    assert WebhookAttempt.objects.get().status_code == 302
    assert WebhookDelivery.objects.get().status == "pending"


def test_a_huge_answer_is_read_only_in_part(clock, alice, salon, staff, services, receiver):
    subscribe(alice, salon, receiver.url)
    receiver.body = b"x" * (8 * 1024 * 1024)
    book_as_customer(salon, services[0], staff[0])
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code == 200
    assert len(attempt.response_excerpt) == 1000
