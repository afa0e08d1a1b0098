"""`Idempotency-Key` on creates (DESIGN §5): the same key and body replay the first answer.

The record is written in the same transaction as the booking, under an advisory lock on
(caller, key), so two identical requests racing each other book once: the second waits,
then replays the first's answer.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import ngettext
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from booking.errors import IdempotencyKeyReused
from booking.models import IdempotencyRecord
from config.api import exception_handler
from config.errors import DomainError

KEPT_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 255


def fingerprint(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def idempotent(request, create: Callable[[], Response]) -> Response:
    """Run `create` once per (caller, Idempotency-Key); replay its answer afterwards."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return create()
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        message = ngettext("Use 1 to %(max)d character.", "Use 1 to %(max)d characters.", MAX_KEY_LENGTH)
        raise ValidationError({"Idempotency-Key": [message % {"max": MAX_KEY_LENGTH}]})
    user, body_print = request.user, fingerprint(request.data)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"idempotency:{user.pk}:{key}"])
        IdempotencyRecord.objects.filter(user=user, created_at__lt=timezone.now() - KEPT_FOR).delete()
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is not None:
            if record.fingerprint != body_print:
                raise IdempotencyKeyReused()
            replay = Response(record.body, status=record.status_code)
            replay["Idempotent-Replayed"] = "true"
            return replay
        try:
            response = create()
        except (DomainError, APIException) as error:
            response = exception_handler(error, {})
        if response.status_code < 500:  # a busy or failed attempt may be retried with the same key
            IdempotencyRecord.objects.create(
                user=user, key=key, fingerprint=body_print, status_code=response.status_code, body=response.data
            )
        return response
