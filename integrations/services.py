"""Webhook endpoints: what owners do with them, from the admin and the API alike."""

import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from businesses.models import Business
from config.celery import app, enqueue_on_commit
from customers.models import User
from integrations import outbound
from integrations.events import DELIVER_WEBHOOKS
from integrations.models import ApiToken, Event, WebhookDelivery, WebhookEndpoint


def validate_webhook_url(url: str) -> None:
    try:
        outbound.check_url(url)
    except outbound.Refused as refused:
        raise ValidationError(str(refused), code="invalid_url") from None


def validate_events(events: Iterable[str]) -> list[str]:
    chosen = sorted(set(events))
    unknown = [event for event in chosen if event not in Event.values]
    if unknown:
        # Translators: the events are the API's names (appointment.created, …); they stay as they are.
        message = _("Unknown events: %(unknown)s. Known: %(known)s.")
        raise ValidationError(message % {"unknown": ", ".join(unknown), "known": ", ".join(Event.values)})
    if not chosen:
        raise ValidationError(_("Choose at least one event."))
    return chosen


def business_events_sync(business_id: uuid.UUID) -> None:
    """Business.webhook_events: what the salon's active endpoints want (see events.wanted).
    Under the business row's lock, so that two endpoint changes at once cannot lose one."""
    Business.objects.select_for_update().filter(pk=business_id).values_list("pk").first()
    wanted: set[str] = set()
    for events in WebhookEndpoint.objects.filter(business_id=business_id, is_active=True).values_list(
        "events", flat=True
    ):
        wanted.update(events)
    Business.objects.filter(pk=business_id).exclude(webhook_events=sorted(wanted)).update(
        webhook_events=sorted(wanted)
    )


def endpoint_save(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Create or change an endpoint (validated by the caller's form or serializer). Turned
    back on, it starts afresh: the failures that disabled it are forgotten."""
    validate_webhook_url(endpoint.url)
    endpoint.events = validate_events(endpoint.events)
    with transaction.atomic():
        if endpoint.is_active:
            endpoint.failing_since, endpoint.disabled_reason = None, ""
        endpoint.save()
        business_events_sync(endpoint.business_id)
    return endpoint


def endpoint_delete(endpoint: WebhookEndpoint) -> None:
    with transaction.atomic():
        business_id = endpoint.business_id
        endpoint.delete()
        business_events_sync(business_id)


def delivery_resend(delivery: WebhookDelivery) -> None:
    """Send a delivery again (a person's decision, from the admin), at the head of its queue's
    order as before; a delivered one is sent once more."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING, next_attempt_at=timezone.now()
    )
    enqueue_on_commit(app.tasks[DELIVER_WEBHOOKS], str(delivery.endpoint_id), delivery.ordering_key)


def api_token_create(*, named: ApiToken, user: User) -> str:
    """A new API token acting as `user` (an owner of named.business), under named.name; returns
    the key, which is not kept (only its hash is)."""
    with transaction.atomic():
        token, key = AuthToken.objects.create(user=user)
        named.token = token
        named.save()
    return key


def api_token_revoke(named: ApiToken) -> None:
    named.token.delete()  # the name goes with it
