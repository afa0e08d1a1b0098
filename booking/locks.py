"""Transaction-scoped advisory locks per staff member (and per customer).

Two bookings for one staff member must not both pass the availability re-check. Each
booking takes `pg_advisory_xact_lock` on every staff member it may write to, in sorted
key order (so a reschedule across staff racing another one cannot deadlock), with a
`lock_timeout` so a stuck lock becomes a clear `busy` error instead of a hang. The
exclusion constraint stays the last word if anything writes without the lock.
"""

from collections.abc import Iterable

from django.db import OperationalError, connection

from config.errors import Busy

LOCK_TIMEOUT_SECONDS = 3


def lock_booking(
    *, staff_ids: Iterable[object], resource_ids: Iterable[object] = (), customer_id: object | None = None
) -> None:
    """Lock the given staff members, resources (chairs, basins, rooms) and the customer, whose
    booking limit is checked under the lock, until the current transaction ends. Call inside
    atomic().

    All keys are taken in one sorted pass: two writers needing overlapping sets wait for
    each other in the same order, so they cannot deadlock.
    """
    keys = {f"chairtime:staff:{staff_id}" for staff_id in staff_ids}
    keys.update(f"chairtime:resource:{resource_id}" for resource_id in resource_ids)
    if customer_id is not None:
        keys.add(f"chairtime:customer:{customer_id}")
    with connection.cursor() as cursor:
        try:  # one statement (migration booking/0008): the timeout, then each lock in order
            cursor.execute("SELECT chairtime_lock_booking(%s, %s)", [sorted(keys), f"{LOCK_TIMEOUT_SECONDS}s"])
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) == "55P03":  # lock_not_available
                raise Busy() from error
            raise
