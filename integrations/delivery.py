"""Sending what the outbox owes (integrations/events.py), in order, signed, retried.

Per (endpoint, ordering key) the oldest pending delivery goes first: `deliver_next` takes an
advisory lock on that queue, sends its head and records the attempt, all in one transaction,
so two workers never send one queue's events side by side or out of order. A failed head
waits (exponential backoff with jitter, for WEBHOOK_RETRY_HOURS) and holds back the events
behind it; an endpoint that has failed for that long is disabled and its owners e-mailed.
"""

import json
import logging
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from standardwebhooks import Webhook

from businesses.models import BusinessMembership
from config.languages import message_language
from integrations import outbound
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services import business_events_sync

logger = logging.getLogger(__name__)
Status = WebhookDelivery.Status
LONGEST_WAIT_SECONDS = 3 * 3600
QUEUE_LOCK_TIMEOUT = "30s"  # longer than one attempt can take (outbound.TIMEOUT)


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def signed_headers(delivery: WebhookDelivery, body: bytes, now: datetime) -> dict[str, str]:
    """Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature (v1, HMAC-SHA256
    of "id.timestamp.body" with the endpoint's secret)."""
    signature = Webhook(delivery.endpoint.secret).sign(delivery.webhook_id, now, body)
    return {
        "webhook-id": delivery.webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": "Chairtime-Webhooks/1.0",
    }


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 30 s (WEBHOOK_FIRST_RETRY_SECONDS) doubling
    to at most 3 hours, with jitter (half to all of it), so that endpoints coming back are not
    hit all at once."""
    ceiling = min(settings.WEBHOOK_FIRST_RETRY_SECONDS * 2 ** (attempts - 1), LONGEST_WAIT_SECONDS)
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def lock_queue(endpoint_id: str, key: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('lock_timeout', %s, true), pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [QUEUE_LOCK_TIMEOUT, f"chairtime:webhook:{endpoint_id}:{key}"],
        )


def deliver_next(endpoint_id: str, key: str, *, now: datetime | None = None) -> tuple[str, datetime | None]:
    """Send the head of one queue. Returns what happened: "delivered" (go on with the next),
    "failed" (given up; go on), "retry" (it failed now; try again at the datetime given),
    "waiting" (an earlier failure's retry is not due yet), "empty" or "disabled"."""
    with transaction.atomic():
        lock_queue(endpoint_id, key)
        head = (
            WebhookDelivery.objects.select_related("endpoint__business")
            .filter(endpoint_id=endpoint_id, ordering_key=key, status=Status.PENDING)
            .order_by("id")
            .first()
        )
        now = now or timezone.now()
        if head is None:
            return "empty", None
        if not head.endpoint.is_active:
            return "disabled", None
        if head.next_attempt_at > now:
            return "waiting", None  # whoever made it fail scheduled the retry (or the sweeper will)
        return attempt(head, now)


def attempt(delivery: WebhookDelivery, now: datetime) -> tuple[str, datetime | None]:
    body = body_of(delivery)
    # What went wrong is kept on the attempt for the salon's staff: in the salon's language,
    # whichever request or worker happened to run the delivery.
    with translation.override(message_language(None, delivery.endpoint.business)):
        answer = outbound.post(delivery.endpoint.url, body, signed_headers(delivery, body, now))
    WebhookAttempt.objects.create(
        delivery=delivery,
        started_at=now,
        status_code=answer.status_code,
        duration_ms=answer.duration_ms,
        response_excerpt=answer.excerpt,
        error=answer.error,
    )
    delivery.attempts += 1
    endpoint = delivery.endpoint
    if answer.succeeded:
        delivery.status, delivery.delivered_at = Status.DELIVERED, now
        delivery.save(update_fields=["status", "delivered_at", "attempts"])
        if endpoint.failing_since is not None:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        return "delivered", None
    logger.info(
        "webhook %s to endpoint %s failed: %s",
        delivery.webhook_id,
        endpoint.pk,
        answer.status_code or answer.error,
        extra={"business_id": str(endpoint.business_id)},
    )
    retry_for = timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    if endpoint.failing_since is None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=now)
    elif endpoint.failing_since <= now - retry_for:
        hours = settings.WEBHOOK_RETRY_HOURS
        with translation.override(message_language(None, endpoint.business)):  # the owners read it
            reason = ngettext(
                "Every delivery failed for %(hours)d hour.", "Every delivery failed for %(hours)d hours.", hours
            ) % {"hours": hours}
        endpoint_disable(endpoint, reason=reason)
        return "disabled", None
    if delivery.created_at <= now - retry_for:
        delivery.status = Status.FAILED
        delivery.save(update_fields=["status", "attempts"])
        return "failed", None
    delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save(update_fields=["attempts", "next_attempt_at"])
    return "retry", delivery.next_attempt_at


def deliver_in_order(endpoint_id: str, key: str) -> tuple[str, datetime | None]:
    """Send one queue's due events in order, until it is empty or its head must wait."""
    while True:
        outcome, retry_at = deliver_next(endpoint_id, key)
        if outcome not in ("delivered", "failed"):
            return outcome, retry_at


def endpoint_disable(endpoint: WebhookEndpoint, *, reason: str) -> None:
    """Stop sending to a failing endpoint: its pending deliveries fail, its owners hear why."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_reason=reason)
    endpoint.deliveries.filter(status=Status.PENDING).update(status=Status.FAILED)
    business_events_sync(endpoint.business_id)
    owners = list(
        BusinessMembership.objects.filter(business=endpoint.business_id, role=BusinessMembership.Role.OWNER)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    logger.warning("webhook endpoint %s disabled: %s", endpoint.pk, reason)
    with translation.override(message_language(None, endpoint.business)):  # the salon's language
        subject = _("Webhook endpoint disabled")
        stopped = _("Chairtime stopped sending webhooks to %(url)s for %(salon)s.") % {
            "url": endpoint.url,
            "salon": endpoint.business.name,
        }
        fix = _("Fix the receiver, then turn the endpoint back on in the admin (%(admin_url)s) or with the API.") % {
            "admin_url": f"{settings.SITE_URL}/admin/integrations/webhookendpoint/{endpoint.pk}/change/"
        }
    message = f"{stopped}\n\n{reason}\n\n{fix}"  # paragraphs, each a whole sentence
    if owners:
        transaction.on_commit(lambda: send_mail(subject, message, None, owners, fail_silently=True), robust=True)


def due_queues(now: datetime) -> list[tuple[str, str]]:
    """(endpoint, key) of queues whose head is due and whose task is late (the broker was down,
    or a worker was lost): beat's sweeper queues them again."""
    earlier = WebhookDelivery.objects.filter(
        endpoint=OuterRef("endpoint"),
        ordering_key=OuterRef("ordering_key"),
        status=Status.PENDING,
        id__lt=OuterRef("id"),
    )
    found = (
        WebhookDelivery.objects.filter(
            status=Status.PENDING,
            endpoint__is_active=True,
            next_attempt_at__lte=now - timedelta(seconds=settings.WEBHOOK_SWEEP_AFTER_SECONDS),
        )
        .filter(~Exists(earlier))  # heads only: the events behind a waiting one wait with it
        .values_list("endpoint_id", "ordering_key")
        .distinct()
        .order_by()
    )
    return [(str(endpoint_id), key) for endpoint_id, key in found]
