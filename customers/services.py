"""Passwordless sign-in (DESIGN §6): verify-or-create by a one-time code, email or SMS.

django-allauth supplies the building blocks: code generation (the adapter's
`generate_login_code`), rate limits (`allauth.core.ratelimit`), email records
(`EmailAddress`) and the phone hooks of our adapter. The pending state is a
`SignInChallenge` row under an opaque key, so API clients and the widget need no cookie.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import phonenumbers
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from businesses.selectors import has_staff_access
from config.languages import supported
from customers.errors import CodeExpired, InvalidCode, InvalidContact, TooManyRequests
from customers.models import CustomerAccount, CustomerBusinessRelationship, SignInChallenge, User
from customers.privacy import masked_contact
from customers.rate_limits import RateLimit
from integrations.events import customer_created, wanted
from integrations.models import Event

logger = logging.getLogger(__name__)

CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5  # per challenge
# Across challenges: new challenges cannot buy an attacker more guesses at one address.
MAX_FAILED_VERIFICATIONS_PER_HOUR = 10
# Verification texts (sign-up phone, phone change): per number and per customer an hour, so
# no one account can text a stranger repeatedly or spend the platform's SMS budget alone.
MAX_PHONE_CODES_PER_NUMBER_HOURLY = 3
MAX_PHONE_CODES_PER_CUSTOMER_HOURLY = 5


@dataclass(frozen=True)
class Challenge:
    key: str
    channel: str
    expires_in: int  # seconds


def relationship_ensure(customer: CustomerAccount, business: Any, **entered: str) -> None:
    """The salon's record of `customer` exists and holds what its staff `entered` (names,
    phone; what they left empty is kept): one statement, an upsert. A record made here is
    the salon's new client (the customer.created webhook)."""
    row = CustomerBusinessRelationship(customer=customer, business=business, **entered)
    if entered:
        CustomerBusinessRelationship.objects.bulk_create(
            [row], update_conflicts=True, unique_fields=["customer", "business"], update_fields=list(entered)
        )
    else:
        CustomerBusinessRelationship.objects.bulk_create([row], ignore_conflicts=True)
    # Ours was inserted if its new id is there (on a conflict the row kept its own); asked
    # only when someone listens.
    if wanted(business, Event.CUSTOMER_CREATED) and CustomerBusinessRelationship.objects.filter(pk=row.pk).exists():
        customer_created(customer, business)


def normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidContact(
            _("Enter a valid email address."), fields={"email": [_("Enter a valid email address.")]}
        ) from None
    return email


def normalize_phone(phone: str, *, region: str | None = None) -> str:
    """E.164. Without a country code, `region` (e.g. the salon's country) is assumed."""
    try:
        number = phonenumbers.parse((phone or "").strip(), region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        message = _("Enter a valid phone number, with the country code (e.g. +44 7911 123456).")
        raise InvalidContact(message, fields={"phone": [message]})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def code_hash(key: str, code: str) -> str:
    return salted_hmac("chairtime.sign-in-code", f"{key}:{code}", algorithm="sha256").hexdigest()


def normalized_code(code: str) -> str:
    return "".join(ch for ch in str(code) if ch.isalnum()).upper()


def rate_limit(limit: RateLimit | None, *, action: str, key: str) -> None:
    if limit is not None and not limit(action, key):
        raise TooManyRequests()


def new_challenge(
    *, channel: str, purpose: str = SignInChallenge.Purpose.SIGN_IN, verifiable: bool = True, **fields: Any
) -> tuple[SignInChallenge, str]:
    """Create a challenge; return it with its plain code (sent once, never stored)."""
    SignInChallenge.objects.filter(expires_at__lt=timezone.now() - timedelta(days=1)).delete()
    key = secrets.token_urlsafe(32)
    code = normalized_code(get_adapter().generate_login_code())
    challenge = SignInChallenge.objects.create(
        key=key,
        purpose=purpose,
        channel=channel,
        code_hash=code_hash(key, code),
        verifiable=verifiable,
        expires_at=timezone.now() + CODE_LIFETIME,
        **fields,
    )
    return challenge, code


def answer(challenge: SignInChallenge) -> Challenge:
    return Challenge(challenge.key, challenge.channel, int(CODE_LIFETIME.total_seconds()))


def send_code_by_email(email: str, code: str) -> None:
    adapter = get_adapter()
    message = adapter.render_mail(
        "email/sign_in_code", email, {"code": code, "minutes": int(CODE_LIFETIME.total_seconds() // 60)}
    )
    message.send()


def sign_in_start(
    *,
    limit: RateLimit | None = None,
    email: str = "",
    phone: str = "",
    first_name: str = "",
    last_name: str = "",
    region: str | None = None,
) -> Challenge:
    """Send a sign-in code. The same answer whether or not the person has an account.

    With an email, the code goes by email (and `phone`, names are kept for a new account).
    With only a phone, the code goes by SMS if that number is verified on exactly one
    customer account (and the SMS budget allows); otherwise nobody is texted and the
    challenge never verifies. Accounts with staff access never get a code.
    """
    if email:
        email = normalize_email(email)
        signup_phone = normalize_phone(phone, region=region) if phone else ""
        rate_limit(limit, action="request_login_code", key=email)
        staff_account = has_staff_access(get_user_model().objects.filter(email__iexact=email).first())
        challenge, code = new_challenge(
            channel=SignInChallenge.Channel.EMAIL,
            email=email,
            phone=signup_phone,
            first_name=first_name.strip()[:100],
            last_name=last_name.strip()[:100],
            verifiable=not staff_account,
        )
        if staff_account:
            # A code would open the admin without its password: the address only hears why not.
            send_staff_account_notice(email)
        else:
            send_code_by_email(email, code)
        return answer(challenge)

    if not phone:
        raise InvalidContact(
            _("Enter your email address or phone number."), fields={"email": [_("This field is required.")]}
        )
    phone = normalize_phone(phone, region=region)
    rate_limit(limit, action="request_login_code", key=phone)
    adapter = get_adapter()
    user = adapter.get_user_by_phone(phone)
    account = CustomerAccount.objects.filter(user=user).first() if user and not has_staff_access(user) else None
    # Only a number verified on a customer's account is ever texted: anyone can type any
    # number here, and an SMS to it would cost money and annoy a stranger.
    sendable = account is not None and within_sms_budget()
    challenge, code = new_challenge(
        channel=SignInChallenge.Channel.SMS, phone=phone, customer=account, verifiable=sendable
    )
    if sendable:
        adapter.send_verification_code_sms(user, phone, code)
    return answer(challenge)


def within_sms_budget(*, now: datetime | None = None) -> bool:
    """Is there room in the platform-wide hourly budget of code SMS (SMS_CODE_BUDGET_PER_HOUR)?

    Counted from the challenges themselves, so every process sees the same number.
    """
    now = now or timezone.now()
    sent = SignInChallenge.objects.filter(
        channel=SignInChallenge.Channel.SMS, verifiable=True, created_at__gte=now - timedelta(hours=1)
    ).count()
    if sent < settings.SMS_CODE_BUDGET_PER_HOUR:
        return True
    logger.error(
        "SMS code budget exhausted: %s code messages in the last hour (SMS_CODE_BUDGET_PER_HOUR=%s); "
        "no sign-in or verification SMS is sent until the hour rolls on",
        sent,
        settings.SMS_CODE_BUDGET_PER_HOUR,
    )
    return False


def send_staff_account_notice(email: str) -> None:
    message = get_adapter().render_mail("email/staff_account_sign_in", email, {"admin_url": settings.SITE_URL})
    message.send()


def check_code(challenge: SignInChallenge, code: str) -> bool:
    """Count the attempt; use the challenge up if the code is right (and it may verify).

    Callers raise InvalidCode only after their transaction commits, so that a wrong
    attempt is counted rather than rolled back.
    """
    challenge.attempts += 1
    right = constant_time_compare(challenge.code_hash, code_hash(challenge.key, normalized_code(code)))
    accepted = right and challenge.verifiable
    if accepted:
        challenge.used_at = timezone.now()
    challenge.save(update_fields=["attempts", "used_at"])
    return accepted


def failed_verifications_last_hour(challenge: SignInChallenge) -> int:
    """Wrong codes typed in the last hour for the address or number this challenge went to."""
    contact = Q(email=challenge.email) if challenge.email else Q(phone=challenge.phone)
    totals = SignInChallenge.objects.filter(contact, created_at__gte=timezone.now() - timedelta(hours=1)).aggregate(
        attempts=Sum("attempts"), accepted=Count("used_at")
    )
    return (totals["attempts"] or 0) - totals["accepted"]


def verify_code(challenges: QuerySet[SignInChallenge], code: str) -> SignInChallenge:
    """Check `code` against the latest of `challenges`; return it, used up, if right.

    Expired, used, unknown or exhausted: CodeExpired. Too many wrong codes for that address
    or number in the last hour, across challenges: TooManyRequests. Wrong: InvalidCode,
    raised after the transaction commits so that the attempt is counted, not rolled back.
    """
    with transaction.atomic():
        challenge = challenges.select_for_update().order_by("-created_at").first()
        if challenge is None or not challenge.is_open or challenge.attempts >= MAX_ATTEMPTS:
            raise CodeExpired()
        # Parallel guesses on several challenges for one address count one after the other.
        with connection.cursor() as cursor:
            contact = challenge.email or challenge.phone
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"chairtime:code:{contact}"])
        if failed_verifications_last_hour(challenge) >= MAX_FAILED_VERIFICATIONS_PER_HOUR:
            raise TooManyRequests(_("Too many wrong codes. Please wait an hour and ask for a new code."))
        accepted = check_code(challenge, code)
    if not accepted:
        logger.warning(
            "wrong %s code for %s (attempt %s of this challenge)",
            challenge.purpose,
            masked_contact(challenge.email or challenge.phone),
            challenge.attempts,
        )
        raise InvalidCode()
    return challenge


def sign_in_verify(
    *, key: str, code: str, limit: RateLimit | None = None, language: str | None = None
) -> CustomerAccount:
    """Check the code; return the signed-in customer's account (created on first sign-in, in
    `language`: the one the customer chose or their browser asked for, if any)."""
    rate_limit(limit, action="login", key=str(key)[:64])
    challenge = verify_code(
        SignInChallenge.objects.filter(key=str(key or "")[:64], purpose=SignInChallenge.Purpose.SIGN_IN), code
    )
    with transaction.atomic():
        if challenge.channel == SignInChallenge.Channel.SMS:
            account = challenge.customer
        else:
            account = customer_sign_up_or_in(challenge, language=language)
        if account is None or has_staff_access(account.user):  # staff since the code was sent
            raise CodeExpired()
        if account.phone_verified:  # salons may have booked them by that number meanwhile
            claim_phone_only_records(account)
        return account


def customer_sign_up_or_in(challenge: SignInChallenge, *, language: str | None = None) -> CustomerAccount:
    """The email is proven: find or create the user, its verified email record and the
    customer account (claiming one staff created earlier for that email). A first sign-in keeps
    `language`; later ones leave the account's language (or its "the salon's") alone."""
    email = challenge.email
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None)
    EmailAddress.objects.update_or_create(
        user=user, email__iexact=email, defaults={"email": email, "verified": True, "primary": True}
    )
    language = supported(language) or ""
    account = CustomerAccount.objects.select_for_update().filter(email=email).first()
    if account is None:
        account = CustomerAccount.objects.create(email=email, user=user, language=language)
    changed = []
    claiming = account.user_id is None
    if claiming:
        account.user = user
        changed.append("user")
        if language and not account.language:
            account.language = language
            changed.append("language")
    for name in ("first_name", "last_name"):
        if getattr(challenge, name) and not getattr(account, name):
            setattr(account, name, getattr(challenge, name))
            changed.append(name)
    # A number staff typed is not the customer's until they verify one (the salon keeps its
    # own copy on the relationship): claiming replaces it with theirs, or clears it.
    staff_typed_phone = claiming and not account.phone_verified and account.phone != challenge.phone
    if staff_typed_phone or (challenge.phone and not account.phone):
        account.phone, account.phone_verified = challenge.phone, False
        changed += ["phone", "phone_verified"]
    if changed:
        account.save(update_fields=changed)
    if "phone" in changed and account.phone:
        transaction.on_commit(lambda: phone_verification_start(customer=account))
    return account


def phone_codes_capped(customer: CustomerAccount, phone: str) -> bool:
    """Has this number, or this customer, had as many verification texts this hour as we allow?"""
    recent = SignInChallenge.objects.filter(
        purpose=SignInChallenge.Purpose.VERIFY_PHONE,
        verifiable=True,
        created_at__gte=timezone.now() - timedelta(hours=1),
    )
    return (
        recent.filter(phone=phone).count() >= MAX_PHONE_CODES_PER_NUMBER_HOURLY
        or recent.filter(customer=customer).count() >= MAX_PHONE_CODES_PER_CUSTOMER_HOURLY
    )


def phone_verification_start(
    *, customer: CustomerAccount, phone: str = "", limit: RateLimit | None = None
) -> Challenge | None:
    """Text a code to `phone` (default: the account's unverified number); the number becomes
    the account's, verified, once the code comes back (phone_verification_confirm).

    Over the hourly caps or the SMS budget nothing is sent: a person asking (`limit` given)
    hears so (TooManyRequests); the automatic text after sign-up is quietly skipped (None).
    """
    phone = phone or customer.phone
    rate_limit(limit, action="verify_phone", key=phone)
    if phone_codes_capped(customer, phone) or not within_sms_budget():
        if limit is not None:
            raise TooManyRequests(_("We cannot text a code to this number right now. Please try again later."))
        return None
    challenge, code = new_challenge(
        channel=SignInChallenge.Channel.SMS,
        purpose=SignInChallenge.Purpose.VERIFY_PHONE,
        phone=phone,
        customer=customer,
    )
    get_adapter().send_verification_code_sms(customer.user, phone, code)
    return answer(challenge)


def phone_verification_confirm(*, customer: CustomerAccount, code: str) -> CustomerAccount:
    """Make the number of the latest open phone challenge the customer's, verified."""
    challenge = verify_code(
        SignInChallenge.objects.filter(purpose=SignInChallenge.Purpose.VERIFY_PHONE, customer=customer), code
    )
    with transaction.atomic():
        CustomerAccount.objects.filter(pk=customer.pk).update(phone=challenge.phone, phone_verified=True)
        customer.phone, customer.phone_verified = challenge.phone, True
        claim_phone_only_records(customer)
    return customer


RELATIONSHIP_COUNTERS = ("total_visits", "total_spent", "loyalty_points")


def claim_phone_only_records(customer: CustomerAccount) -> int:
    """The customer has proven their phone: the records salons kept of a client known only by
    that number (no email, never signed in) become theirs: appointments, visits, spending,
    points and the salons' notes. Returns how many records were merged."""
    from booking.models import Appointment  # booking builds on customers, not the reverse

    records = (
        CustomerAccount.objects.select_for_update()
        .filter(email__isnull=True, user__isnull=True, phone=customer.phone)
        .exclude(pk=customer.pk)
    )
    merged = 0
    for record in records:
        Appointment.objects.filter(customer=record).update(customer=customer)
        for theirs in CustomerBusinessRelationship.objects.select_for_update().filter(customer=record):
            ours = (
                CustomerBusinessRelationship.objects.select_for_update()
                .filter(customer=customer, business=theirs.business_id)
                .first()
            )
            if ours is None:
                CustomerBusinessRelationship.objects.filter(pk=theirs.pk).update(customer=customer)
                continue
            merge_relationship(ours, theirs)
        record.delete()
        merged += 1
    if merged:
        logger.info("customer %s claimed %d phone-only record(s)", customer.pk, merged)
    return merged


def merge_relationship(ours: CustomerBusinessRelationship, theirs: CustomerBusinessRelationship) -> None:
    """Fold a salon's record of the phone-only client into its record of the same person."""
    for name in RELATIONSHIP_COUNTERS:
        setattr(ours, name, getattr(ours, name) + getattr(theirs, name))
    visits = [v for v in (ours.first_visit_at, theirs.first_visit_at) if v]
    ours.first_visit_at = min(visits, default=None)
    visits = [v for v in (ours.last_visit_at, theirs.last_visit_at) if v]
    ours.last_visit_at = max(visits, default=None)
    ours.notes = "\n\n".join(filter(None, [ours.notes, theirs.notes]))
    ours.allergies = "\n".join(filter(None, [ours.allergies, theirs.allergies]))
    ours.patch_test_required = ours.patch_test_required or theirs.patch_test_required
    ours.patch_test_on = max(filter(None, [ours.patch_test_on, theirs.patch_test_on]), default=None)
    for name in ("phone", "first_name", "last_name"):
        setattr(ours, name, getattr(ours, name) or getattr(theirs, name))
    ours.save()
    theirs.client_notes.update(relationship=ours)
    theirs.delete()


def customer_for_user(user: User) -> CustomerAccount:
    """The customer account of a signed-in user (staff who book for themselves get one too)."""
    account = CustomerAccount.objects.filter(user=user).first()
    if account is not None:
        return account
    with transaction.atomic():
        account, _created = CustomerAccount.objects.select_for_update().get_or_create(email=user.email.lower())
        if account.user_id is None:
            account.user = user
            account.save(update_fields=["user"])
    return account


def email_change_start(*, customer: CustomerAccount, new_email: str, limit: RateLimit | None = None) -> Challenge:
    """Send a code to the new address; the email changes only once it is confirmed."""
    new_email = normalize_email(new_email)
    rate_limit(limit, action="request_login_code", key=new_email)
    challenge, code = new_challenge(
        channel=SignInChallenge.Channel.EMAIL,
        purpose=SignInChallenge.Purpose.CHANGE_EMAIL,
        email=new_email,
        customer=customer,
    )
    send_code_by_email(new_email, code)
    return answer(challenge)


def email_change_confirm(*, customer: CustomerAccount, code: str) -> CustomerAccount:
    """Switch to the new email once the code sent to it comes back."""
    challenge = verify_code(
        SignInChallenge.objects.filter(purpose=SignInChallenge.Purpose.CHANGE_EMAIL, customer=customer), code
    )
    new_email = challenge.email
    User = get_user_model()
    taken = (
        CustomerAccount.objects.filter(email=new_email).exclude(pk=customer.pk).exists()
        or User.objects.filter(email__iexact=new_email).exclude(customer_account=customer).exists()
    )
    if taken:
        message = _("That email address belongs to another account.")
        raise InvalidContact(message, fields={"email": [message]})
    with transaction.atomic():
        CustomerAccount.objects.filter(pk=customer.pk).update(email=new_email)
        if customer.user_id:
            User.objects.filter(pk=customer.user_id).update(email=new_email)
            EmailAddress.objects.filter(user_id=customer.user_id).delete()
            EmailAddress.objects.create(user_id=customer.user_id, email=new_email, verified=True, primary=True)
    customer.email = new_email
    return customer


def phone_change_start(
    *, customer: CustomerAccount, phone: str, region: str | None = None, limit: RateLimit | None = None
) -> Challenge:
    """Text the new number a code; the account keeps its number until the code comes back
    (phone_verification_confirm), so an abandoned or mistyped change loses nothing."""
    phone = normalize_phone(phone, region=region)
    challenge = phone_verification_start(customer=customer, phone=phone, limit=limit)
    if challenge is None:  # only without a `limit`: with one, a refusal already raised
        raise TooManyRequests(_("We cannot text a code to this number right now. Please try again later."))
    return challenge


def customer_update_profile(*, customer: CustomerAccount, **fields: object) -> CustomerAccount:
    """Name and notification preferences (not email or phone: those need a code)."""
    allowed = {"first_name", "last_name", "sms_opt_out", "reminders_opt_out", "language"}
    changes = {name: value for name, value in fields.items() if name in allowed}
    if "language" in changes:  # one we have, or none (then the salon's)
        changes["language"] = supported(changes["language"]) or ""
    for name, value in changes.items():
        setattr(customer, name, value.strip()[:100] if isinstance(value, str) else value)
    customer.save(update_fields=list(changes))
    return customer
