import uuid
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from businesses.models import Business
from config.locale_format import pattern_date


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> "User":
        if not email:
            raise ValueError("Users sign in by email; an email is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """Everyone who signs in: salon staff (admin), integrations and customers. Email is the login."""

    username = None  # type: ignore[assignment]  # removes AbstractUser's field: e-mail is the login
    email = models.EmailField(verbose_name=gettext_lazy("email address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # An e-mail manager, not Django's username-based UserManager the stubs expect here.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = gettext_lazy("user")
        verbose_name_plural = gettext_lazy("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_unique_ci")]

    def __str__(self) -> str:
        return self.email


class CustomerAccount(models.Model):
    """A person who books; kept apart from salon records, shared by every salon they visit."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(
        verbose_name=gettext_lazy("email"),
        unique=True,
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "Stored lower-case; the customer's identity. Empty for a client the salon knows by phone only."
        ),
    )
    phone = models.CharField(
        verbose_name=gettext_lazy("phone"),
        max_length=20,
        blank=True,
        # Translators: E.164 is the international format of phone numbers; keep the example number as it is.
        help_text=gettext_lazy("E.164, e.g. +447911123456."),
    )
    phone_verified = models.BooleanField(
        verbose_name=gettext_lazy("phone verified"),
        default=False,
        help_text=gettext_lazy("Confirmed by a code sent by SMS."),
    )
    first_name = models.CharField(verbose_name=gettext_lazy("first name"), max_length=100, blank=True)
    last_name = models.CharField(verbose_name=gettext_lazy("last name"), max_length=100, blank=True)
    user = models.OneToOneField(
        "customers.User",
        verbose_name=gettext_lazy("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer_account",
    )
    # Translators: a yes/no setting: the customer asked for no text messages.
    sms_opt_out = models.BooleanField(verbose_name=gettext_lazy("sms opt out"), default=False)
    # Translators: a yes/no setting: the customer asked for no reminders.
    reminders_opt_out = models.BooleanField(verbose_name=gettext_lazy("reminders opt out"), default=False)
    language = models.CharField(
        verbose_name=gettext_lazy("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=gettext_lazy("Pages and messages in this language; empty: the salon's."),
    )
    created_at = models.DateTimeField(verbose_name=gettext_lazy("created at"), auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("customer account")
        verbose_name_plural = gettext_lazy("customer accounts")
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="customer_email_unique_ci"),
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="customer_email_lower_case"),
            models.CheckConstraint(
                condition=models.Q(email__isnull=False) | ~models.Q(phone=""), name="customer_email_or_phone"
            ),
        ]

    def __str__(self) -> str:
        contact = self.email or self.phone
        return f"{self.full_name} <{contact}>" if self.full_name else contact

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = (self.email or "").strip().lower() or None
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class CustomerBusinessRelationship(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(
        CustomerAccount,
        verbose_name=gettext_lazy("customer"),
        on_delete=models.CASCADE,
        related_name="business_relationships",
    )
    business = models.ForeignKey(
        Business,
        verbose_name=gettext_lazy("business"),
        on_delete=models.CASCADE,
        related_name="customer_relationships",
    )
    total_visits = models.PositiveIntegerField(verbose_name=gettext_lazy("total visits"), default=0)
    total_spent = models.DecimalField(
        # Translators: the total a client has spent at the salon.
        verbose_name=gettext_lazy("total spent"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
    )
    loyalty_points = models.PositiveIntegerField(verbose_name=gettext_lazy("loyalty points"), default=0)
    # Translators: when the client's first visit to the salon was (a date and time).
    first_visit_at = models.DateTimeField(verbose_name=gettext_lazy("first visit at"), null=True, blank=True)
    # Translators: when the client's last visit to the salon was (a date and time).
    last_visit_at = models.DateTimeField(verbose_name=gettext_lazy("last visit at"), null=True, blank=True)
    notes = models.TextField(
        verbose_name=gettext_lazy("notes"),
        blank=True,
        help_text=gettext_lazy("Staff notes; never shown to the customer."),
    )
    allergies = models.TextField(
        verbose_name=gettext_lazy("allergies"),
        blank=True,
        help_text=gettext_lazy("Allergies and sensitivities: shown as a warning on every booking of this client."),
    )
    patch_test_required = models.BooleanField(
        # Translators: a yes/no setting: the client needs a skin (patch) test before colour services.
        verbose_name=gettext_lazy("patch test required"),
        default=False,
        help_text=gettext_lazy("A patch test is needed before colour services: warned on every booking."),
    )
    patch_test_on = models.DateField(
        # Translators: the date of the client's last patch test.
        verbose_name=gettext_lazy("patch test on"),
        null=True,
        blank=True,
        help_text=gettext_lazy("Date of the last patch test."),
    )
    # What this salon's staff entered about the person: the salon's own record, which never
    # overwrites the customer's account (that is shared by every salon they visit).
    phone = models.CharField(
        verbose_name=gettext_lazy("phone"),
        max_length=20,
        blank=True,
        # Translators: E.164 is the international format of phone numbers.
        help_text=gettext_lazy("E.164, as the salon's staff entered it."),
    )
    first_name = models.CharField(verbose_name=gettext_lazy("first name"), max_length=100, blank=True)
    last_name = models.CharField(verbose_name=gettext_lazy("last name"), max_length=100, blank=True)
    created_at = models.DateTimeField(verbose_name=gettext_lazy("created at"), auto_now_add=True)

    class Meta:
        # The salon's word for it: the admin's "Clients" list and client card.
        verbose_name = gettext_lazy("client")
        verbose_name_plural = gettext_lazy("clients")
        constraints = [
            models.UniqueConstraint(fields=["customer", "business"], name="relationship_unique_customer_business"),
            models.CheckConstraint(condition=models.Q(total_spent__gte=0), name="relationship_spent_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} at {self.business}"

    @property
    def display_name(self) -> str:
        """The client's name as this salon knows it (its own entry first), else a contact."""
        own = f"{self.first_name} {self.last_name}".strip()
        return own or self.customer.full_name or self.customer.email or self.phone or self.customer.phone

    @property
    def warnings(self) -> list[str]:
        """What staff must see on every booking of this client."""
        found = [_("Allergies: %(allergies)s") % {"allergies": self.allergies}] if self.allergies.strip() else []
        if self.patch_test_required and self.patch_test_on:
            on = pattern_date(self.patch_test_on, "dd MMM yyyy")
            found.append(_("Patch test required (last on %(date)s)") % {"date": on})
        elif self.patch_test_required:
            found.append(_("Patch test required (none on record)"))
        return found


class ClientNote(models.Model):
    """A dated, signed note on a salon's client card, e.g. a colour formula."""

    relationship = models.ForeignKey(
        CustomerBusinessRelationship,
        # Translators: the salon's client a note is about.
        verbose_name=gettext_lazy("relationship"),
        on_delete=models.CASCADE,
        related_name="client_notes",
    )
    # Translators: the date a note was written.
    written_on = models.DateField(verbose_name=gettext_lazy("written on"), default=timezone.localdate)
    author = models.ForeignKey(
        "customers.User",
        verbose_name=gettext_lazy("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Translators: the author of a note as it shows them (their name or e-mail).
    author_label = models.CharField(verbose_name=gettext_lazy("author label"), max_length=200, blank=True)
    # Translators: a note's text.
    text = models.TextField(verbose_name=gettext_lazy("text"), max_length=4000)
    created_at = models.DateTimeField(verbose_name=gettext_lazy("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-written_on", "-created_at"]
        verbose_name = gettext_lazy("client note")
        verbose_name_plural = gettext_lazy("client notes")

    def __str__(self) -> str:
        return f"{self.written_on:%Y-%m-%d} {self.author_label}: {self.text[:40]}"


class SignInChallenge(models.Model):
    """A pending one-time code, kept server-side under an opaque key (no cookie needed).

    Only a keyed hash of the code is stored. A challenge for an unknown phone number is
    created like any other (the answer must not reveal whether a number is known) but can
    never be verified.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", gettext_lazy("Email")
        SMS = "sms", gettext_lazy("SMS")

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", gettext_lazy("Sign in (or sign up)")
        VERIFY_PHONE = "verify_phone", gettext_lazy("Verify a phone number")
        CHANGE_EMAIL = "change_email", gettext_lazy("Change email")

    key = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.SIGN_IN)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    customer = models.ForeignKey(CustomerAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    code_hash = models.CharField(max_length=128)
    verifiable = models.BooleanField(default=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("sign in challenge")
        verbose_name_plural = gettext_lazy("sign in challenges")
        indexes = [models.Index(fields=["expires_at"], name="challenge_expires_at")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} by {self.channel}"

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
