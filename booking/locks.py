"""Transaction-scoped advisory locks per staff member.

Two bookings for one staff member must not both pass the availability re-check. Each
booking takes `pg_advisory_xact_lock` on every staff member it may write to, in sorted
key order (so a reschedule across staff racing another one cannot deadlock), with a
`lock_timeout` so a stuck lock becomes a clear `busy` error instead of a hang. The
exclusion constraint stays the last word if anything writes without the lock.
"""

from django.db import OperationalError, connection

from config.errors import Busy

LOCK_TIMEOUT_SECONDS = 3


def lock_staff(staff_ids) -> None:
    """Lock the given staff members until the current transaction ends. Call inside atomic()."""
    keys = sorted({f"chairtime:staff:{staff_id}" for staff_id in staff_ids})
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_SECONDS}s'")
        try:
            for key in keys:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) == "55P03":  # lock_not_available
                raise Busy() from error
            raise
