"""The webhook outbox: what happened, written in the transaction of the change.

A change calls one of the `*_changed` functions below; for each active endpoint of the salon
subscribed to the event one `WebhookDelivery` row is inserted (one statement), and its
sending is queued once the transaction commits. A rolled-back change leaves no row and
queues nothing; a committed one always has its rows, which beat's sweeper sends if the
broker was down. A salon without subscribers pays nothing (Business.webhook_events).
"""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

from config.api_fields import local_iso
from config.celery import app, enqueue_on_commit
from integrations.models import Event

DELIVER_WEBHOOKS = "integrations.deliver_webhooks"

# History actions (booking.models.AppointmentHistory.Action) that are events.
APPOINTMENT_EVENTS = {
    "created": Event.APPOINTMENT_CREATED,
    "rescheduled": Event.APPOINTMENT_RESCHEDULED,
    "cancelled": Event.APPOINTMENT_CANCELLED,
    "completed": Event.APPOINTMENT_COMPLETED,
    "no_show": Event.APPOINTMENT_NO_SHOW,
}
VISIT_EVENTS = {
    "created": Event.VISIT_CREATED,
    "rescheduled": Event.VISIT_RESCHEDULED,
    "cancelled": Event.VISIT_CANCELLED,
}

INSERT_DELIVERIES = """
INSERT INTO integrations_webhookdelivery
    (message_id, endpoint_id, event_type, ordering_key, payload, status, attempts, next_attempt_at, created_at)
SELECT gen_random_uuid(), endpoint.id, %(event)s, %(key)s, %(payload)s::jsonb, 'pending', 0, %(now)s, %(now)s
FROM integrations_webhookendpoint endpoint
WHERE endpoint.business_id = %(business)s AND endpoint.is_active AND %(event)s = ANY(endpoint.events)
RETURNING endpoint_id
"""


def wanted(business: Any, event: str) -> bool:
    return event in business.webhook_events


def record(business: Any, event: str, *, key: str, data: dict) -> None:
    """Owe `event` to every subscribed endpoint of `business`; call inside the change's
    transaction. `key`: events with the same key (an appointment's id) arrive in order."""
    if not wanted(business, event):
        return
    now = timezone.now()
    payload = {"type": event, "timestamp": local_iso(now, business.zone), "data": data}
    with connection.cursor() as cursor:
        cursor.execute(
            INSERT_DELIVERIES,
            {
                "event": event,
                "key": key,
                "payload": json.dumps(payload, cls=DjangoJSONEncoder),
                "business": business.pk,
                "now": now,
            },
        )
        endpoint_ids = {str(row[0]) for row in cursor.fetchall()}
    for endpoint_id in sorted(endpoint_ids):
        enqueue_on_commit(app.tasks[DELIVER_WEBHOOKS], endpoint_id, key)


def appointment_changed(appointment: Any, action: str) -> None:
    event = APPOINTMENT_EVENTS.get(action)
    if event is None or not wanted(appointment.business, event):
        return
    from booking.api.serializers import AppointmentOutput  # the API's shape (it imports the booking services)

    record(appointment.business, event, key=str(appointment.pk), data=dict(AppointmentOutput(appointment).data))


def visit_changed(visit: Any, action: str, *, business: Any) -> None:
    """After the visit's items have changed (each has sent its own appointment event)."""
    event = VISIT_EVENTS[action]
    if not wanted(business, event):
        return
    from booking.api.serializers import VisitOutput

    visit.business = business
    visit.__dict__.pop("_items", None)  # VisitOutput's cache: the items as they are now
    record(business, event, key=str(visit.pk), data=dict(VisitOutput(visit).data))


def customer_created(customer: Any, business: Any) -> None:
    """`customer` became a client of `business` (the salon's client record was made)."""
    if not wanted(business, Event.CUSTOMER_CREATED):
        return
    from customers.api import CustomerOutput

    record(business, Event.CUSTOMER_CREATED, key=str(customer.pk), data=dict(CustomerOutput(customer).data))


def customer_forget(customer_id: object, appointment_ids: list) -> None:
    """A customer erased their account: the outbox keeps no personal data of theirs. Their
    customer.created events (name, e-mail, phone) go; their appointments' events keep what
    the salon's systems need, without the booking notes."""
    from integrations.models import WebhookDelivery

    WebhookDelivery.objects.filter(event_type=Event.CUSTOMER_CREATED, ordering_key=str(customer_id)).delete()
    WebhookDelivery.objects.filter(ordering_key__in=[str(pk) for pk in appointment_ids]).update(
        payload=RawSQL("""jsonb_set(payload, '{data,notes}', '""')""", [])
    )
