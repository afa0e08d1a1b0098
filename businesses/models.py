import uuid
import zoneinfo
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from businesses.brand import accessible_brand


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        # Translators: what was entered, in quotes; Europe/London is a time zone's name and stays as it is.
        raise ValidationError(_("%(value)s is not an IANA time zone such as Europe/London.") % {"value": repr(value)})


def validate_origin(value: str) -> None:
    """An origin is scheme://host[:port] with nothing after it."""
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query or parts.fragment:
        # Translators: what was entered, in quotes.
        message = _("%(value)s is not an origin such as https://salon.example (no path, no slash).")
        raise ValidationError(message % {"value": repr(value)})


RASTER_IMAGE_FORMATS = {"PNG", "JPEG", "WEBP"}
RASTER_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}


def validate_raster_image(file: File) -> None:
    """The content, not the name, must be a PNG, JPEG or WebP image: an SVG (or HTML) served
    from our origin could run script in the admin's session."""
    from PIL import Image, UnidentifiedImageError

    if getattr(file, "_committed", False):
        return  # already stored: checked when it was uploaded (saving other settings must not reopen it)
    if Path(file.name or "").suffix.lower() not in RASTER_IMAGE_SUFFIXES:
        raise ValidationError(_("Upload a PNG, JPEG or WebP image."), code="invalid_extension")
    try:
        file.seek(0)
        with Image.open(file) as image:
            kind = image.format
            image.verify()
        file.seek(0)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        kind = None
    if kind not in RASTER_IMAGE_FORMATS:
        raise ValidationError(_("Upload a PNG, JPEG or WebP image."), code="invalid_image")


def normalized_kinds(kinds: list[str]) -> list[str]:
    """Resource kinds as services and resources name them: trimmed, lower case, each once."""
    return sorted({kind.strip().lower() for kind in kinds if kind.strip()})


class Business(models.Model):
    # The booking policy, as the admin groups it and the management API's settings carry it.
    POLICY_FIELDS = (
        "slot_interval_minutes",
        "slot_offering",
        "min_notice_minutes",
        "max_advance_days",
        "cancellation_window_hours",
        "max_upcoming_per_customer",
        "auto_complete_after_hours",
        "hold_minutes",
        "waitlist_offer_minutes",
        "waitlist_first_click",
    )
    NOTIFICATION_FIELDS = ("reminders_enabled", "reminder_hours_before", "sms_enabled", "loyalty_points_per_unit")

    class SlotOffering(models.TextChoices):
        ALL = "all", gettext_lazy("Every free start")
        COMPACT = "compact", gettext_lazy("Compact: no short gaps left between bookings")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(verbose_name=gettext_lazy("name"), max_length=200)
    # Translators: the salon's short name as its web addresses carry it (a URL slug), e.g. "studio-anna".
    slug = models.SlugField(verbose_name=gettext_lazy("slug"), max_length=200, unique=True)
    timezone = models.CharField(
        verbose_name=gettext_lazy("timezone"), max_length=64, default="Europe/London", validators=[validate_timezone]
    )
    country = models.CharField(
        verbose_name=gettext_lazy("country"),
        max_length=2,
        default="GB",
        validators=[RegexValidator(r"^[A-Z]{2}$", gettext_lazy("Use an ISO 3166 code such as GB."))],
        help_text=gettext_lazy("ISO 3166 country code; the default region for customers' phone numbers."),
    )
    currency = models.CharField(
        verbose_name=gettext_lazy("currency"), max_length=3, default="GBP", validators=[RegexValidator(r"^[A-Z]{3}$")]
    )
    language = models.CharField(
        verbose_name=gettext_lazy("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=gettext_lazy(
            "For customers who have not chosen a language and whose browser asks for none we have."
        ),
    )

    email = models.EmailField(verbose_name=gettext_lazy("email"), blank=True)
    phone = models.CharField(verbose_name=gettext_lazy("phone"), max_length=32, blank=True)
    address = models.TextField(verbose_name=gettext_lazy("address"), blank=True)
    website = models.URLField(verbose_name=gettext_lazy("website"), blank=True)
    brand_color = models.CharField(
        verbose_name=gettext_lazy("brand color"),
        max_length=7,
        default="#7c3aed",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", gettext_lazy("Use #RRGGBB."))],
    )
    logo = models.FileField(
        verbose_name=gettext_lazy("logo"),
        upload_to="logos/",
        blank=True,
        validators=[validate_raster_image],
        help_text=gettext_lazy("PNG, JPEG or WebP."),
    )

    # Booking policy
    slot_interval_minutes = models.PositiveSmallIntegerField(
        # Translators: the booking policy's step between the start times offered, in minutes.
        verbose_name=gettext_lazy("slot interval minutes"),
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    min_notice_minutes = models.PositiveIntegerField(
        # Translators: the booking policy's minimum notice (how soon before the start one may book), in minutes.
        verbose_name=gettext_lazy("min notice minutes"),
        default=60,
    )
    max_advance_days = models.PositiveSmallIntegerField(
        # Translators: the booking policy's limit on how far ahead customers may book, in days.
        verbose_name=gettext_lazy("max advance days"),
        default=60,
        validators=[MinValueValidator(1)],
    )
    cancellation_window_hours = models.PositiveSmallIntegerField(
        # Translators: the booking policy's cancellation window (the last hours before the start), in hours.
        verbose_name=gettext_lazy("cancellation window hours"),
        default=24,
        help_text=gettext_lazy("Customers may not cancel or reschedule closer than this to the start."),
    )
    slot_offering = models.CharField(
        # Translators: the booking policy's choice of which free start times customers are offered.
        verbose_name=gettext_lazy("slot offering"),
        max_length=10,
        choices=SlotOffering.choices,
        default=SlotOffering.ALL,
        help_text=gettext_lazy(
            "Compact: customers are offered only times that leave no gap shorter than your shortest "
            "service (on a day where that leaves nothing, every free time). Staff always see every free time."
        ),
    )
    availability_version = models.BigIntegerField(
        default=0,
        editable=False,
        help_text=gettext_lazy(
            "Bumped by the database in every transaction that changes what can be booked here "
            "(booking/migrations/0007): the availability cache's key."
        ),
    )
    hold_minutes = models.PositiveSmallIntegerField(
        # Translators: how long a time a customer has chosen is kept for them while they sign in, in minutes.
        verbose_name=gettext_lazy("hold minutes"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=gettext_lazy("How long a time a customer has chosen is kept for them while they sign in."),
    )
    waitlist_offer_minutes = models.PositiveSmallIntegerField(
        # Translators: how long a waitlisted client has to take a freed time offered to them, in minutes.
        verbose_name=gettext_lazy("waitlist offer minutes"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
        help_text=gettext_lazy(
            "How long a waitlisted client has to take a freed time offered to them before the next is asked."
        ),
    )
    waitlist_first_click = models.BooleanField(
        # Translators: a yes/no setting: a freed time goes to every waiting client at once, first to book gets it.
        verbose_name=gettext_lazy("waitlist first click"),
        default=False,
        help_text=gettext_lazy(
            "Offer a freed time to every matching waitlisted client at once: the first to book it gets it "
            "(otherwise one at a time, in the order they joined)."
        ),
    )
    # The latest expiry of any slot hold here (booking.holds): until then availability is
    # computed with the holds, past the cache; changing it does not bump the version.
    holds_until = models.DateTimeField(null=True, blank=True, editable=False)
    max_upcoming_per_customer = models.PositiveSmallIntegerField(
        # Translators: the most upcoming bookings one customer may have at the salon.
        verbose_name=gettext_lazy("max upcoming per customer"),
        default=5,
        help_text=gettext_lazy("Upcoming bookings one customer may hold here; 0 means no limit."),
    )
    reminders_enabled = models.BooleanField(verbose_name=gettext_lazy("reminders enabled"), default=True)
    reminder_hours_before = models.PositiveSmallIntegerField(
        # Translators: how many hours before an appointment its reminder is sent.
        verbose_name=gettext_lazy("reminder hours before"),
        default=24,
    )
    sms_enabled = models.BooleanField(verbose_name=gettext_lazy("sms enabled"), default=False)
    loyalty_points_per_unit = models.PositiveSmallIntegerField(
        # Translators: loyalty points a client earns per whole unit of currency spent.
        verbose_name=gettext_lazy("loyalty points per unit"),
        default=1,
        help_text=gettext_lazy("Loyalty points per whole currency unit spent."),
    )
    auto_complete_after_hours = models.PositiveSmallIntegerField(
        # Translators: after how many hours past their end confirmed appointments are marked completed by themselves.
        verbose_name=gettext_lazy("auto complete after hours"),
        default=12,
        help_text=gettext_lazy("Confirmed appointments that ended this long ago become completed; 0 = off."),
    )
    embed_allowed_origins = ArrayField(
        models.CharField(max_length=200, validators=[validate_origin]),
        # Translators: the websites (origins such as https://salon.example) that may embed the booking widget.
        verbose_name=gettext_lazy("embed allowed origins"),
        default=list,
        blank=True,
        help_text=gettext_lazy(
            "Websites that may embed the booking widget, e.g. https://salon.example. Empty: any https site."
        ),
    )
    # The events some active webhook endpoint of the salon wants, kept by integrations.services:
    # a change writes webhook deliveries only for these, so a salon without webhooks pays nothing.
    webhook_events = ArrayField(models.CharField(max_length=40), default=list, blank=True, editable=False)

    created_at = models.DateTimeField(verbose_name=gettext_lazy("created at"), auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("business")
        verbose_name_plural = gettext_lazy("businesses")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_interval_minutes__gte=5), name="business_slot_interval_at_least_5"
            ),
            models.CheckConstraint(condition=Q(max_advance_days__gte=1), name="business_max_advance_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def readable_brand_color(self) -> str:
        """The brand colour as pages and e-mails write text in it (and white text on it): darkened
        where it would fall below WCAG's 4.5:1 against white (businesses.brand)."""
        return accessible_brand(self.brand_color)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def slot_interval(self) -> timedelta:
        return timedelta(minutes=self.slot_interval_minutes)


class BusinessMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", pgettext_lazy("a team member's role", "Owner")
        STAFF = "staff", pgettext_lazy("a team member's role", "Staff")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    business = models.ForeignKey(
        Business, verbose_name=gettext_lazy("business"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(verbose_name=gettext_lazy("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    own_column_only = models.BooleanField(
        # Translators: a yes/no setting: the calendar shows this team member only their own column.
        verbose_name=gettext_lazy("own column only"),
        default=False,
        help_text=gettext_lazy(
            "The calendar shows a staff-role member only their own column (owners always see all)."
        ),
    )
    created_at = models.DateTimeField(verbose_name=gettext_lazy("created at"), auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("business membership")
        verbose_name_plural = gettext_lazy("business memberships")
        constraints = [models.UniqueConstraint(fields=["user", "business"], name="membership_unique_user_business")]

    def __str__(self) -> str:
        return f"{self.user} — {self.business} ({self.get_role_display()})"


class Service(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    business = models.ForeignKey(
        Business, verbose_name=gettext_lazy("business"), on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(verbose_name=gettext_lazy("name"), max_length=200)
    description = models.TextField(verbose_name=gettext_lazy("description"), blank=True)
    duration = models.DurationField(
        verbose_name=gettext_lazy("duration"),
        # Translators: an example of a duration (hours:minutes:seconds): 45 minutes; keep the digits as they are.
        help_text=gettext_lazy("e.g. 00:45:00"),
    )
    price = models.DecimalField(
        verbose_name=gettext_lazy("price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    buffer_before = models.DurationField(
        # Translators: a service's preparation time before it (the chair is taken, the client not yet served).
        verbose_name=gettext_lazy("buffer before"),
        default=timedelta,
        blank=True,
        help_text=gettext_lazy("Preparation time before."),
    )
    buffer_after = models.DurationField(
        # Translators: a service's clean-up time after it.
        verbose_name=gettext_lazy("buffer after"),
        default=timedelta,
        blank=True,
        help_text=gettext_lazy("Clean-up time after."),
    )
    processing_offset = models.DurationField(
        # Translators: when a service's processing time (e.g. a colour developing) starts, counted from its start.
        verbose_name=gettext_lazy("processing offset"),
        default=timedelta,
        blank=True,
        help_text=gettext_lazy("When the processing time starts, counted from the start."),
    )
    processing_duration = models.DurationField(
        # Translators: the part of a service (e.g. a colour developing) when the stylist may serve someone else.
        verbose_name=gettext_lazy("processing time"),
        default=timedelta,
        blank=True,
        help_text=gettext_lazy(
            "e.g. a colour developing: the staff member may serve someone else meanwhile; "
            "the client and the resources stay taken."
        ),
    )
    resource_kinds = ArrayField(
        models.CharField(max_length=50),
        # Translators: the kinds of resource (e.g. basin, room) a service needs.
        verbose_name=gettext_lazy("resource kinds"),
        default=list,
        blank=True,
        help_text=gettext_lazy(
            "Kinds of resource the service needs one each of for its whole time, e.g. basin, room."
        ),
    )
    is_active = models.BooleanField(verbose_name=gettext_lazy("is active"), default=True)
    # Translators: the place in the list (lower numbers come first).
    position = models.PositiveSmallIntegerField(verbose_name=gettext_lazy("position"), default=0)

    class Meta:
        verbose_name = gettext_lazy("service")
        verbose_name_plural = gettext_lazy("services")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    processing_offset__gte=timedelta(0),
                    processing_duration__gte=timedelta(0),
                    duration__gte=F("processing_offset") + F("processing_duration"),
                ),
                name="service_processing_within_duration",
            ),
            models.CheckConstraint(condition=Q(duration__gt=timedelta(0)), name="service_duration_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="service_price_not_negative"),
            models.CheckConstraint(
                condition=Q(buffer_before__gte=timedelta(0), buffer_after__gte=timedelta(0)),
                name="service_buffers_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def duration_minutes(self) -> int:
        return int(self.duration.total_seconds() // 60)

    def clean(self) -> None:
        self.resource_kinds = normalized_kinds(self.resource_kinds)
        if self.duration and self.processing_offset + self.processing_duration > self.duration:
            raise ValidationError(
                {"processing_duration": _("The processing time must end by the end of the service.")}
            )


class StaffMember(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    business = models.ForeignKey(
        Business, verbose_name=gettext_lazy("business"), on_delete=models.CASCADE, related_name="staff"
    )
    # Translators: the staff member's name as clients and the calendar see it.
    name = models.CharField(verbose_name=gettext_lazy("display name"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_profiles",
        help_text=gettext_lazy("Linking a user lets them sign in to the admin as staff of this salon."),
    )
    is_active = models.BooleanField(verbose_name=gettext_lazy("is active"), default=True)
    services = models.ManyToManyField(Service, verbose_name=gettext_lazy("services"), blank=True, related_name="staff")
    position = models.PositiveSmallIntegerField(verbose_name=gettext_lazy("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = gettext_lazy("staff member")
        verbose_name_plural = gettext_lazy("staff members")
        constraints = [
            models.UniqueConstraint(fields=["business", "user"], name="staff_one_profile_per_user_and_business")
        ]

    def __str__(self) -> str:
        return self.name


class Resource(models.Model):
    """A chair, basin or room that some services need one of (Service.resource_kinds)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    business = models.ForeignKey(
        Business, verbose_name=gettext_lazy("business"), on_delete=models.CASCADE, related_name="resources"
    )
    name = models.CharField(verbose_name=gettext_lazy("name"), max_length=200)
    kind = models.CharField(
        # Translators: the kind of a resource, e.g. basin, room, chair.
        verbose_name=gettext_lazy("kind"),
        max_length=50,
        help_text=gettext_lazy("e.g. basin, room, chair: services name the kinds they need."),
    )
    is_active = models.BooleanField(verbose_name=gettext_lazy("is active"), default=True)
    position = models.PositiveSmallIntegerField(verbose_name=gettext_lazy("position"), default=0)

    class Meta:
        verbose_name = gettext_lazy("resource")
        verbose_name_plural = gettext_lazy("resources")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    def clean(self) -> None:
        (self.kind,) = normalized_kinds([self.kind]) or [""]


class Weekday(models.IntegerChoices):
    MONDAY = 0, gettext_lazy("Monday")
    TUESDAY = 1, gettext_lazy("Tuesday")
    WEDNESDAY = 2, gettext_lazy("Wednesday")
    THURSDAY = 3, gettext_lazy("Thursday")
    FRIDAY = 4, gettext_lazy("Friday")
    SATURDAY = 5, gettext_lazy("Saturday")
    SUNDAY = 6, gettext_lazy("Sunday")


class WeeklyInterval(models.Model):
    """One local wall-clock interval on a weekday; a lunch break is two of them."""

    weekday = models.PositiveSmallIntegerField(verbose_name=gettext_lazy("weekday"), choices=Weekday.choices)
    # Translators: a noun: when something begins (a time, or a date and time).
    start = models.TimeField(verbose_name=gettext_lazy("start"))
    # Translators: a noun: when something ends (a time, or a date and time).
    end = models.TimeField(verbose_name=gettext_lazy("end"))

    class Meta:
        abstract = True
        ordering = ["weekday", "start"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class OpeningHours(WeeklyInterval):
    business = models.ForeignKey(
        Business, verbose_name=gettext_lazy("business"), on_delete=models.CASCADE, related_name="opening_hours"
    )

    class Meta(WeeklyInterval.Meta):
        verbose_name = gettext_lazy("opening hours")
        verbose_name_plural = gettext_lazy("opening hours")
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="opening_hours_end_after_start")]


class WorkingHours(WeeklyInterval):
    staff = models.ForeignKey(
        StaffMember, verbose_name=gettext_lazy("staff"), on_delete=models.CASCADE, related_name="working_hours"
    )

    class Meta(WeeklyInterval.Meta):
        verbose_name = gettext_lazy("working hours")
        verbose_name_plural = gettext_lazy("working hours")
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="working_hours_end_after_start")]


class TimeOff(models.Model):
    """Time a staff member is away, or, without a staff member, a closure of the whole salon."""

    business = models.ForeignKey(
        Business, verbose_name=gettext_lazy("business"), on_delete=models.CASCADE, related_name="time_off"
    )
    staff = models.ForeignKey(
        StaffMember,
        verbose_name=gettext_lazy("staff"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="time_off",
        help_text=gettext_lazy("Leave empty for a closure of the whole salon (a holiday)."),
    )
    start = models.DateTimeField(verbose_name=gettext_lazy("start"))
    end = models.DateTimeField(verbose_name=gettext_lazy("end"))
    reason = models.CharField(verbose_name=gettext_lazy("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        verbose_name = gettext_lazy("time off / closure")
        verbose_name_plural = gettext_lazy("time off and closures")
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="time_off_end_after_start")]

    def __str__(self) -> str:
        who = self.staff.name if self.staff is not None else "Salon closed"
        return f"{who}: {self.start:%Y-%m-%d %H:%M} – {self.end:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.staff is not None and self.business_id and self.staff.business_id != self.business_id:
            raise ValidationError({"staff": _("This staff member works at another salon.")})
