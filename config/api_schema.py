"""OpenAPI pieces shared by every API view: the error shape and its responses."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorBody = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorDetail",
            fields={
                "code": serializers.CharField(help_text="Stable machine-readable code, e.g. slot_unavailable."),
                "message": serializers.CharField(help_text="A sentence for people."),
                "fields": serializers.DictField(
                    required=False,
                    help_text="Only for validation errors: a list of messages per input field "
                    "(nested objects nest, e.g. customer.email).",
                ),
            },
        )
    },
)


def errors(*statuses: int) -> dict:
    """`responses=` entries for the given error statuses, all in the one error shape."""
    descriptions = {
        400: "validation_error (or invalid_code / code_expired for sign-in codes)",
        401: "not_authenticated",
        403: "permission_denied",
        404: "not_found",
        409: "slot_unavailable, too_late_to_cancel, booking_limit_reached or invalid_state",
        415: "unsupported_media_type",
        422: "idempotency_key_reused",
        429: "throttled",
        503: "busy (retry after Retry-After seconds)",
    }
    return {status: OpenApiResponse(ErrorBody, description=descriptions[status]) for status in statuses}
