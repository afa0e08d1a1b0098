"""The availability cache: the engine's clock-free part (every free slot, or for the compact
offering each stylist's free starts, whenever they are) kept per business version.

`Business.availability_version` is bumped by the database in the same transaction as every
change the engine reads (booking/migrations/0007), so a key holding the version is never
stale: after a change commits, every reader sees the new version and misses. What moves with
the clock (minimum notice, the horizon) and who asks (compact offering for customers) are
applied after the cache, on every request.

Only callers that loaded the business in the same request pass its version (the API's and
the portal's pages); booking checks under the lock never use the cache, and nothing inside a
transaction does: the version is bumped at commit, so a transaction that changed something
would still see the old one. Django's cache
framework: Redis when CACHE_URL names it, else each process's local memory; correctness
does not depend on which, since the version always comes from the database.
"""

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection

T = TypeVar("T")
logger = logging.getLogger(__name__)
# The shape of what is kept: bump it when that changes, so a deploy never reads old entries.
SHAPE = 3


def cached_availability(
    kind: str,
    *,
    business_id,
    version: int,
    service_id,
    staff_id,
    first_day: date,
    days: int,
    slot_interval: timedelta,
    compute: Callable[[], T],
) -> T:
    """`compute()`'s answer (`kind`: "slots", every free slot; or "free-starts", each stylist's
    free starts, for the compact offering) for this business version and question."""
    seconds = settings.AVAILABILITY_CACHE_SECONDS
    if not seconds or connection.in_atomic_block:
        return compute()
    key = (
        f"availability:{SHAPE}:{kind}:{business_id}:{version}:{service_id}:{staff_id or '-'}:"
        f"{first_day.isoformat()}:{days}:{int(slot_interval.total_seconds())}"
    )
    try:
        found = cache.get(key)
    except Exception:  # the cache is down: answer without it
        logger.warning("availability cache unreachable", exc_info=True)
        return compute()
    if found is None:
        found = compute()
        try:
            cache.set(key, found, seconds)
        except Exception:
            logger.warning("availability cache unreachable", exc_info=True)
    return found
