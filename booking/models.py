import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeOperators
from django.db import models
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy
from psycopg.types.multirange import Multirange

from businesses.models import Business, Resource, Service, StaffMember
from customers.models import CustomerAccount

# Statuses that hold the staff member's time: booked, or checked in at the front desk.
OCCUPYING_STATUSES = ("confirmed", "arrived")
# Every status but cancelled: the appointment stands (booked, in progress, completed or a no-show).
KEPT_STATUSES = (*OCCUPYING_STATUSES, "completed", "no_show")


class DateTimeMultirangeField(models.Field):
    """PostgreSQL's tstzmultirange: psycopg reads and writes it as a Multirange of ranges."""

    description = "Several ranges of time with time zone"

    def db_type(self, connection: Any) -> str:
        return "tstzmultirange"


def staff_busy_pieces(blocked_range: DateTimeTZRange, processing_range: DateTimeTZRange | None) -> Multirange:
    """The staff member's busy time: the blocked range less the processing window (the
    CHECK constraint `appointment_staff_busy_is_blocked_less_processing` says the same)."""
    if processing_range is None:
        return Multirange([blocked_range])
    pieces = [(blocked_range.lower, processing_range.lower), (processing_range.upper, blocked_range.upper)]
    return Multirange([DateTimeTZRange(low, high, "[)") for low, high in pieces if low < high])


class Visit(models.Model):
    """Several services for one customer, back to back from one start (DESIGN §10): its
    appointments are the items, in time order. Booked, moved and cancelled as one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="visits")
    customer = models.ForeignKey(CustomerAccount, on_delete=models.PROTECT, related_name="visits")
    source = models.CharField(max_length=10, default="api")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("visit")
        verbose_name_plural = gettext_lazy("visits")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Visit {self.pk}"


class Appointment(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", gettext_lazy("Confirmed")
        ARRIVED = "arrived", gettext_lazy("Arrived")
        CANCELLED = "cancelled", gettext_lazy("Cancelled")
        COMPLETED = "completed", gettext_lazy("Completed")
        NO_SHOW = "no_show", gettext_lazy("No-show")

    class Source(models.TextChoices):
        PORTAL = "portal", gettext_lazy("Customer portal")
        WIDGET = "widget", gettext_lazy("Website widget")
        API = "api", gettext_lazy("API")
        ADMIN = "admin", gettext_lazy("Admin")
        WALK_IN = "walk_in", gettext_lazy("Walk-in")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    business = models.ForeignKey(
        Business, verbose_name=gettext_lazy("business"), on_delete=models.PROTECT, related_name="appointments"
    )
    customer = models.ForeignKey(
        CustomerAccount, verbose_name=gettext_lazy("customer"), on_delete=models.PROTECT, related_name="appointments"
    )
    staff = models.ForeignKey(
        StaffMember, verbose_name=gettext_lazy("staff"), on_delete=models.PROTECT, related_name="appointments"
    )
    service = models.ForeignKey(
        Service, verbose_name=gettext_lazy("service"), on_delete=models.PROTECT, related_name="appointments"
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=gettext_lazy("visit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
        help_text=gettext_lazy("Its visit, if any."),
    )
    start = models.DateTimeField(verbose_name=gettext_lazy("start"))
    end = models.DateTimeField(verbose_name=gettext_lazy("end"))
    # The time the chair is taken: [start - buffer_before, end + buffer_after). Snapshotted at
    # booking so that editing a service's buffers later does not move existing bookings.
    blocked_range = DateTimeRangeField()
    # A processing window (a colour developing): the stylist may serve someone else meanwhile.
    processing_range = DateTimeRangeField(null=True, blank=True)
    # The part of the blocked range the staff member is busy: all of it less the processing
    # window. Stored (and checked equal to that) so one GiST exclusion constraint covers it.
    staff_busy = DateTimeMultirangeField()
    status = models.CharField(
        verbose_name=gettext_lazy("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED
    )
    price = models.DecimalField(
        verbose_name=gettext_lazy("price"),
        max_digits=10,
        decimal_places=2,
        help_text=gettext_lazy("Price when booked."),
    )
    duration = models.DurationField(
        verbose_name=gettext_lazy("duration"), help_text=gettext_lazy("Duration when booked.")
    )
    source = models.CharField(
        # Translators: where an appointment was booked (the customer portal, the website widget, the admin…).
        verbose_name=gettext_lazy("source"),
        max_length=10,
        choices=Source.choices,
        default=Source.API,
    )
    notes = models.TextField(verbose_name=gettext_lazy("notes"), blank=True)
    cancel_reason = models.TextField(verbose_name=gettext_lazy("cancel reason"), blank=True)
    sequence = models.PositiveIntegerField(
        # Translators: a version number that goes up with every change.
        verbose_name=gettext_lazy("sequence"),
        default=0,
        help_text=gettext_lazy("Bumped on every change (calendar invites)."),
    )
    client_confirmed_at = models.DateTimeField(
        verbose_name=gettext_lazy("client confirmed at"),
        null=True,
        blank=True,
        help_text=gettext_lazy("When the client confirmed they are coming (an SMS reply)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(verbose_name=gettext_lazy("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=gettext_lazy("updated at"), auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("appointment")
        verbose_name_plural = gettext_lazy("appointments")
        ordering = ["start"]
        indexes = [
            models.Index(fields=["business", "start"], name="appointment_business_start"),
            models.Index(fields=["customer", "start"], name="appointment_customer_start"),
        ]
        constraints = [
            # The last word on double booking: whatever path writes, PostgreSQL refuses two
            # confirmed (or arrived) appointments of one staff member whose busy time overlaps
            # (a multirange: one row per booking, so the status condition needs no copy of it).
            ExclusionConstraint(
                name="appointment_no_overlap_per_staff",
                expressions=[("staff", RangeOperators.EQUAL), ("staff_busy", RangeOperators.OVERLAPS)],
                condition=Q(status__in=OCCUPYING_STATUSES),
                violation_error_message=gettext_lazy("This staff member already has an appointment at that time."),
            ),
            models.CheckConstraint(
                condition=Q(
                    staff_busy=RawSQL(
                        "tstzmultirange(blocked_range) - tstzmultirange(coalesce(processing_range, 'empty'))",
                        (),
                        output_field=DateTimeMultirangeField(),
                    )
                ),
                name="appointment_staff_busy_is_blocked_less_processing",
            ),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appointment_end_after_start"),
            models.CheckConstraint(condition=Q(duration__gt=timedelta(0)), name="appointment_duration_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="appointment_price_not_negative"),
            models.CheckConstraint(
                condition=Q(blocked_range__isempty=False), name="appointment_blocked_range_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(blocked_range__startswith__lte=F("start"), blocked_range__endswith__gte=F("end")),
                name="appointment_blocked_range_covers_appointment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} with {self.staff} at {self.start:%Y-%m-%d %H:%M} UTC"

    def set_times(
        self,
        start: datetime,
        duration: timedelta,
        buffer_before: timedelta = timedelta(0),
        buffer_after: timedelta = timedelta(0),
        processing: tuple[timedelta, timedelta] = (timedelta(0), timedelta(0)),
    ) -> None:
        """Place the appointment at `start` (not saved); the buffers widen its blocked range,
        and `processing` (offset, duration) frees the staff member for that window."""
        self.start = start
        self.end = start + duration
        self.duration = duration
        self.blocked_range = DateTimeTZRange(start - buffer_before, self.end + buffer_after, "[)")
        offset, length = processing
        self.processing_range = DateTimeTZRange(start + offset, start + offset + length, "[)") if length else None
        self.staff_busy = staff_busy_pieces(self.blocked_range, self.processing_range)

    # What set_times changes, with the staff member and the sequence: a move's UPDATE.
    MOVED_FIELDS = (
        "staff",
        "start",
        "end",
        "blocked_range",
        "processing_range",
        "staff_busy",
        "sequence",
        "updated_at",
    )

    @property
    def processing(self) -> tuple[timedelta, timedelta]:
        """The processing window snapshotted at booking: (offset from the start, duration)."""
        if self.processing_range is None:
            return timedelta(0), timedelta(0)
        return self.processing_range.lower - self.start, self.processing_range.upper - self.processing_range.lower

    @property
    def buffers(self) -> tuple[timedelta, timedelta]:
        """The buffers snapshotted at booking: (before, after)."""
        return self.start - self.blocked_range.lower, self.blocked_range.upper - self.end

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(self.business.zone)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(self.business.zone)


class ResourceBooking(models.Model):
    """A resource held by an appointment for its whole time ([start, end)).

    `held_range` and `holds` copy the appointment's times and status; database triggers keep
    them equal to it (migration 0005), so the exclusion constraint below is the last word on
    two bookings of one basin or room whatever path writes.
    """

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="resource_bookings")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="bookings")
    held_range = DateTimeRangeField()
    holds = models.BooleanField(default=True, help_text=gettext_lazy("The appointment is confirmed or checked in."))

    class Meta:
        verbose_name = gettext_lazy("resource booking")
        verbose_name_plural = gettext_lazy("resource bookings")
        constraints = [
            ExclusionConstraint(
                name="resource_no_overlap",
                expressions=[("resource", RangeOperators.EQUAL), ("held_range", RangeOperators.OVERLAPS)],
                condition=Q(holds=True),
                violation_error_message=gettext_lazy("This resource is already booked at that time."),
            ),
            models.UniqueConstraint(fields=["appointment", "resource"], name="resource_once_per_appointment"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} for {self.appointment_id}"


class SlotHold(models.Model):
    """A time kept for a customer while they sign in (DESIGN §12): one row per staff member
    the held booking needs (a visit's items may need several), sharing the hold's token.

    A hold counts only until `expires_at`: availability and the booking check under the lock
    read unexpired holds (booking.selectors.Holds), so an expired one frees its time without
    any cleanup. Among holds the exclusion constraint has the last word on staff, like the
    appointments'; expired rows in the way are deleted under the lock before a new hold. The
    resources a hold keeps are read the same way (RESOURCE_TIME_SQL), under the resources' locks.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # sha256 of the hold token the holder was given: the token itself is never stored.
    token_hash = models.CharField(max_length=64, db_index=True)
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="slot_holds")
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="slot_holds")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    staff_busy = DateTimeMultirangeField()
    # The rooms, basins or chairs the booking would take, for [start, end) as a booking holds them.
    resources = ArrayField(models.UUIDField(), default=list, blank=True)
    expires_at = models.DateTimeField()
    customer = models.ForeignKey(
        CustomerAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="slot_holds"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("slot hold")
        verbose_name_plural = gettext_lazy("slot holds")
        ordering = ["start"]
        indexes = [models.Index(fields=["business", "expires_at"], name="slothold_business_expiry")]
        constraints = [
            ExclusionConstraint(
                name="slothold_no_overlap_per_staff",
                expressions=[("staff", RangeOperators.EQUAL), ("staff_busy", RangeOperators.OVERLAPS)],
                violation_error_message=gettext_lazy("This time is already held for someone."),
            ),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="slothold_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"Hold of {self.service} with {self.staff} at {self.start:%Y-%m-%d %H:%M} UTC"


class WaitlistEntry(models.Model):
    """A customer waiting for a time (DESIGN §12): a service, optionally a stylist, and the
    windows they can make. Offered freed times in joining order (booking.waitlist)."""

    class Status(models.TextChoices):
        WAITING = "waiting", gettext_lazy("Waiting")
        BOOKED = "booked", gettext_lazy("Booked")
        LEFT = "left", gettext_lazy("Left the waitlist")
        EXPIRED = "expired", gettext_lazy("Expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    business = models.ForeignKey(
        Business, verbose_name=gettext_lazy("business"), on_delete=models.CASCADE, related_name="waitlist"
    )
    customer = models.ForeignKey(
        CustomerAccount,
        verbose_name=gettext_lazy("customer"),
        on_delete=models.CASCADE,
        related_name="waitlist_entries",
    )
    service = models.ForeignKey(
        Service, verbose_name=gettext_lazy("service"), on_delete=models.CASCADE, related_name="+"
    )
    staff = models.ForeignKey(
        StaffMember,
        verbose_name=gettext_lazy("staff"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # [{"from_date", "to_date", "from_time"?, "to_time"?, "weekdays"?}], local to the salon.
    # Translators: the periods of days and times a waitlisted client can make (time windows).
    windows = models.JSONField(verbose_name=gettext_lazy("windows"))
    last_date = models.DateField(
        verbose_name=gettext_lazy("last date"),
        help_text=gettext_lazy("The last local date of any window: the entry expires after it."),
    )
    status = models.CharField(
        verbose_name=gettext_lazy("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    appointment = models.ForeignKey(
        Appointment,
        verbose_name=gettext_lazy("appointment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(verbose_name=gettext_lazy("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = gettext_lazy("waitlist entry")
        verbose_name_plural = gettext_lazy("waitlist entries")
        indexes = [models.Index(fields=["business", "status", "created_at"], name="waitlist_business_queue")]

    def __str__(self) -> str:
        return f"{self.customer} waiting for {self.service}"


class WaitlistOffer(models.Model):
    """A freed time offered to a waitlisted customer, with a hold for the offer window (none
    where the salon lets the first to click among all matching entries have it)."""

    class Status(models.TextChoices):
        OPEN = "open", gettext_lazy("Open")
        BOOKED = "booked", gettext_lazy("Booked")
        EXPIRED = "expired", gettext_lazy("Expired")
        TAKEN = "taken", gettext_lazy("Taken by someone else")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entry = models.ForeignKey(
        WaitlistEntry,
        # Translators: the waitlist entry (a client waiting for a time) an offer is made to.
        verbose_name=gettext_lazy("entry"),
        on_delete=models.CASCADE,
        related_name="offers",
    )
    # The offer's hold token, if it holds the time (the one-click link carries the signed id).
    hold_token = models.CharField(max_length=64, blank=True)
    staff = models.ForeignKey(
        StaffMember, verbose_name=gettext_lazy("staff"), on_delete=models.CASCADE, related_name="+"
    )
    start = models.DateTimeField(verbose_name=gettext_lazy("start"))
    end = models.DateTimeField(verbose_name=gettext_lazy("end"))
    expires_at = models.DateTimeField(verbose_name=gettext_lazy("expires at"))
    status = models.CharField(
        verbose_name=gettext_lazy("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    # Translators: who offered the time: a staff member's e-mail, or "waitlist" when it was offered by itself.
    offered_by = models.CharField(verbose_name=gettext_lazy("offered by"), max_length=254, default="waitlist")
    created_at = models.DateTimeField(verbose_name=gettext_lazy("created at"), auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("waitlist offer")
        verbose_name_plural = gettext_lazy("waitlist offers")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=Q(status="open"), name="waitlist_one_open_offer_per_entry"
            )
        ]

    def __str__(self) -> str:
        return f"Offer of {self.start:%Y-%m-%d %H:%M} UTC to {self.entry.customer}"


class AppointmentHistory(models.Model):
    """Append-only record of every change to an appointment (a trigger refuses UPDATE)."""

    class Action(models.TextChoices):
        CREATED = "created", gettext_lazy("Created")
        RESCHEDULED = "rescheduled", gettext_lazy("Rescheduled")
        ARRIVED = "arrived", gettext_lazy("Checked in")
        CANCELLED = "cancelled", gettext_lazy("Cancelled")
        COMPLETED = "completed", gettext_lazy("Completed")
        NO_SHOW = "no_show", gettext_lazy("Marked no-show")
        UPDATED = "updated", gettext_lazy("Updated")
        CLIENT_CONFIRMED = "confirmed", gettext_lazy("Confirmed by the client")

    appointment = models.ForeignKey(
        Appointment, verbose_name=gettext_lazy("appointment"), on_delete=models.CASCADE, related_name="history"
    )
    action = models.CharField(verbose_name=gettext_lazy("action"), max_length=12, choices=Action.choices)
    # History outlives users and staff: no cascading UPDATE may touch it, so these keep the id.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # Translators: who made a change (a user).
        verbose_name=gettext_lazy("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(
        # Translators: who made a change, as the appointment's history shows it.
        verbose_name=gettext_lazy("actor label"),
        max_length=200,
        blank=True,
        help_text=gettext_lazy("Who did it, as shown in the log."),
    )
    # Translators: the appointment's start before a change.
    old_start = models.DateTimeField(verbose_name=gettext_lazy("old start"), null=True, blank=True)
    old_end = models.DateTimeField(verbose_name=gettext_lazy("old end"), null=True, blank=True)
    old_staff = models.ForeignKey(
        StaffMember,
        verbose_name=gettext_lazy("old staff"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # Translators: the appointment's start after a change.
    new_start = models.DateTimeField(verbose_name=gettext_lazy("new start"), null=True, blank=True)
    new_end = models.DateTimeField(verbose_name=gettext_lazy("new end"), null=True, blank=True)
    new_staff = models.ForeignKey(
        StaffMember,
        verbose_name=gettext_lazy("new staff"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    old_status = models.CharField(verbose_name=gettext_lazy("old status"), max_length=10, blank=True)
    new_status = models.CharField(verbose_name=gettext_lazy("new status"), max_length=10, blank=True)
    sequence = models.PositiveIntegerField(verbose_name=gettext_lazy("sequence"), default=0)
    note = models.TextField(verbose_name=gettext_lazy("note"), blank=True)
    created_at = models.DateTimeField(verbose_name=gettext_lazy("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = gettext_lazy("appointment history")
        verbose_name_plural = gettext_lazy("appointment history")

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor_label or 'system'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Appointment history is append-only.")
        super().save(*args, **kwargs)


class IdempotencyRecord(models.Model):
    """The first answer to a create sent with an `Idempotency-Key`, kept 24 hours per caller."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text=gettext_lazy("SHA-256 of the request body."))
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("idempotency record")
        verbose_name_plural = gettext_lazy("idempotency records")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"


class Notification(models.Model):
    """One message about one version of an appointment, claimed before it is sent.

    The unique (appointment, kind, channel, sequence) row is what makes retries and
    duplicate tasks send once: a worker sends only a row it holds locked in `pending`.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", gettext_lazy("Confirmation")
        UPDATE = "update", gettext_lazy("Change")
        CANCELLATION = "cancellation", gettext_lazy("Cancellation")
        REMINDER = "reminder", gettext_lazy("Reminder")
        WAITLIST_OFFER = "waitlist_offer", gettext_lazy("Waitlist offer")

    class Channel(models.TextChoices):
        EMAIL = "email", gettext_lazy("Email to the customer")
        SMS = "sms", gettext_lazy("SMS to the customer")
        STAFF_EMAIL = "staff_email", gettext_lazy("Email to the staff member")

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Pending")
        SENT = "sent", gettext_lazy("Sent")
        FAILED = "failed", gettext_lazy("Failed (the provider did not take it)")
        UNCERTAIN = "uncertain", gettext_lazy("Uncertain: check and resend by hand")
        SKIPPED = "skipped", gettext_lazy("Skipped")

    appointment = models.ForeignKey(
        Appointment,
        verbose_name=gettext_lazy("appointment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # A waitlist offer's messages (then no appointment): sent once per channel.
    offer = models.ForeignKey(
        "WaitlistOffer",
        # Translators: the waitlist offer (a freed time offered to a waiting client) a message is about.
        verbose_name=gettext_lazy("offer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # Translators: the kind of a message: a confirmation, a reminder, a cancellation…
    kind = models.CharField(verbose_name=gettext_lazy("kind"), max_length=16, choices=Kind.choices)
    # Translators: how a message is sent: e-mail or SMS.
    channel = models.CharField(verbose_name=gettext_lazy("channel"), max_length=16, choices=Channel.choices)
    sequence = models.PositiveIntegerField(verbose_name=gettext_lazy("sequence"))
    recipient = models.CharField(verbose_name=gettext_lazy("recipient"), max_length=254, blank=True)
    status = models.CharField(
        verbose_name=gettext_lazy("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(verbose_name=gettext_lazy("attempts"), default=0)
    last_error = models.TextField(verbose_name=gettext_lazy("last error"), blank=True)
    created_at = models.DateTimeField(verbose_name=gettext_lazy("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(verbose_name=gettext_lazy("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("notification")
        verbose_name_plural = gettext_lazy("notifications")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "kind", "channel", "sequence"], name="notification_once_per_version"
            ),
            models.UniqueConstraint(
                fields=["offer", "channel"], condition=Q(offer__isnull=False), name="notification_once_per_offer"
            ),
            models.CheckConstraint(
                condition=Q(appointment__isnull=True) ^ Q(offer__isnull=True), name="notification_of_one_thing"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.channel} (#{self.sequence}): {self.status}"
