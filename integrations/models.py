"""Webhooks (DESIGN §11): a salon's subscribed endpoints, the events owed to each (the
outbox, written in the transaction of the change) and every attempt to deliver one."""

import base64
import secrets
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy

from businesses.models import Business


class Event(models.TextChoices):
    APPOINTMENT_CREATED = "appointment.created"
    APPOINTMENT_RESCHEDULED = "appointment.rescheduled"
    APPOINTMENT_CANCELLED = "appointment.cancelled"
    APPOINTMENT_COMPLETED = "appointment.completed"
    APPOINTMENT_NO_SHOW = "appointment.no_show"
    CUSTOMER_CREATED = "customer.created"
    VISIT_CREATED = "visit.created"
    VISIT_RESCHEDULED = "visit.rescheduled"
    VISIT_CANCELLED = "visit.cancelled"


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class WebhookEndpoint(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    business = models.ForeignKey(
        Business, verbose_name=gettext_lazy("business"), on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(
        verbose_name=gettext_lazy("url"),
        max_length=2000,
        # Translators: POST is the HTTP method; keep it as it is.
        help_text=gettext_lazy("Where events are POSTed (https in production)."),
    )
    events = ArrayField(
        models.CharField(max_length=40, choices=Event.choices),
        verbose_name=gettext_lazy("events"),
        help_text=gettext_lazy("The events this endpoint wants."),
    )
    is_active = models.BooleanField(verbose_name=gettext_lazy("is active"), default=True)
    # Kept readable: every delivery is signed with it. Shown once, when the endpoint is made.
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    failing_since = models.DateTimeField(
        # Translators: since when (a date and time) every delivery to a webhook endpoint has failed.
        verbose_name=gettext_lazy("failing since"),
        null=True,
        blank=True,
        help_text=gettext_lazy("Since when every delivery has failed (cleared by a success)."),
    )
    # Translators: why a webhook endpoint was switched off.
    disabled_reason = models.CharField(verbose_name=gettext_lazy("disabled reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(verbose_name=gettext_lazy("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=gettext_lazy("updated at"), auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = gettext_lazy("webhook endpoint")
        verbose_name_plural = gettext_lazy("webhook endpoints")

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event owed to one endpoint. Sent in `id` order per (endpoint, ordering_key)."""

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Pending")
        DELIVERED = "delivered", gettext_lazy("Delivered")
        FAILED = "failed", gettext_lazy("Failed")

    id = models.BigAutoField(primary_key=True)
    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # webhook-id
    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=gettext_lazy("endpoint"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(verbose_name=gettext_lazy("event type"), max_length=40, choices=Event.choices)
    ordering_key = models.CharField(
        # Translators: the key that keeps webhook events in order (events with the same key arrive in order).
        verbose_name=gettext_lazy("ordering key"),
        max_length=64,
        help_text=gettext_lazy("Events with the same key arrive in order."),
    )
    # Translators: the data a webhook delivery sends.
    payload = models.JSONField(verbose_name=gettext_lazy("payload"))
    status = models.CharField(
        verbose_name=gettext_lazy("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(verbose_name=gettext_lazy("attempts"), default=0)
    next_attempt_at = models.DateTimeField(verbose_name=gettext_lazy("next attempt at"))
    created_at = models.DateTimeField(verbose_name=gettext_lazy("created at"))
    delivered_at = models.DateTimeField(verbose_name=gettext_lazy("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = gettext_lazy("webhook delivery")
        verbose_name_plural = gettext_lazy("webhook deliveries")
        indexes = [
            models.Index(
                fields=["endpoint", "ordering_key", "id"],
                condition=models.Q(status="pending"),
                name="webhook_pending_in_order",
            ),
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="pending"), name="webhook_pending_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.endpoint_id}"

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.message_id.hex}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(
        WebhookDelivery,
        verbose_name=gettext_lazy("delivery"),
        on_delete=models.CASCADE,
        related_name="attempts_made",
    )
    started_at = models.DateTimeField(verbose_name=gettext_lazy("started at"))
    # Translators: the HTTP status code the receiver answered with, e.g. 200.
    status_code = models.PositiveSmallIntegerField(verbose_name=gettext_lazy("status code"), null=True, blank=True)
    # Translators: how long an attempt took, in milliseconds ("ms").
    duration_ms = models.PositiveIntegerField(verbose_name=gettext_lazy("duration ms"))
    # Translators: the start of the receiver's answer, as kept.
    response_excerpt = models.TextField(verbose_name=gettext_lazy("response excerpt"), blank=True)
    error = models.CharField(verbose_name=gettext_lazy("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = gettext_lazy("webhook attempt")
        verbose_name_plural = gettext_lazy("webhook attempts")
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.status_code or self.error} at {self.started_at:%Y-%m-%d %H:%M:%S}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A private iCalendar feed: a staff member's appointments, or (staff None) the whole
    salon's. Whoever has the URL can read it; a new token makes the old URL a 404."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="calendar_feeds")
    staff = models.ForeignKey(
        "businesses.StaffMember", null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)
    # The last version served (its ETag) and when it changed: the feed's Last-Modified.
    version = models.CharField(max_length=32, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("calendar feed")
        verbose_name_plural = gettext_lazy("calendar feeds")
        constraints = [
            models.UniqueConstraint(fields=["business", "staff"], nulls_distinct=False, name="one_feed_per_calendar")
        ]

    def __str__(self) -> str:
        return f"calendar feed of {self.staff or self.business}"


class ApiToken(models.Model):
    """A name for an API token an owner made in the admin, and the salon it is for. The token
    (knox: only its hash is kept) acts as the owner who made it; revoking deletes it."""

    token = models.OneToOneField(
        settings.KNOX_TOKEN_MODEL, verbose_name=gettext_lazy("token"), on_delete=models.CASCADE, related_name="named"
    )
    business = models.ForeignKey(
        Business, verbose_name=gettext_lazy("business"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        verbose_name=gettext_lazy("name"),
        max_length=100,
        help_text=gettext_lazy('What it is for, e.g. "Booking app" or "CRM sync".'),
    )
    created_at = models.DateTimeField(verbose_name=gettext_lazy("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = gettext_lazy("API token")
        verbose_name_plural = gettext_lazy("API tokens")

    def __str__(self) -> str:
        return self.name
