"""Booking's domain errors, with the codes and statuses of DESIGN §5."""

from django.utils.translation import gettext_lazy

from config.errors import DomainError


class BookingInvalid(DomainError):
    """The request names things that do not fit together (foreign or inactive ids, bad range)."""

    code = "validation_error"
    status_code = 400
    default_message = gettext_lazy("The booking request is invalid; see fields.")


class SlotUnavailable(DomainError):
    code = "slot_unavailable"
    status_code = 409
    default_message = gettext_lazy("That time is not available. Please pick another time.")


class SlotHeld(SlotUnavailable):
    """Staff asked for a time a customer is holding while they sign in (booking.holds)."""

    default_message = gettext_lazy(
        "A customer is holding this time while they sign in. Book over their hold to take it anyway "
        "(their hold then ends)."
    )


class TooLateToCancel(DomainError):
    code = "too_late_to_cancel"
    status_code = 409
    default_message = gettext_lazy("It is too late to change this appointment online; please call the salon.")


class BookingLimitReached(DomainError):
    code = "booking_limit_reached"
    status_code = 409
    default_message = gettext_lazy("You already have the most upcoming bookings this salon allows.")


class InvalidState(DomainError):
    code = "invalid_state"
    status_code = 409
    default_message = gettext_lazy("The appointment cannot be changed in its current state.")


class NotAllowed(DomainError):
    code = "permission_denied"
    status_code = 403
    default_message = gettext_lazy("Only the salon's staff may do that.")


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status_code = 422
    # Translators: Idempotency-Key is the name of an HTTP header; keep it as it is.
    default_message = gettext_lazy("This Idempotency-Key was already used with a different request body.")
