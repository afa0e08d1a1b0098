"""Availability benchmark: the whole N-day grid of one service for every staff member.

    DEBUG=1 .venv/bin/python bench/availability.py                  # 10 staff x 14 days and 50 x 60
    DEBUG=1 .venv/bin/python bench/availability.py --staff 10 --days 14 --runs 200

Runs in-process against a throw-away database (Django's test database machinery:
`test_<name>` on the embedded PostgreSQL, or on DATABASE_URL's server), prints p50/p95
and the query count per grid. Not part of the test suite.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402

# DEBUG=1 only picks the embedded database; query logging would distort the timings.
settings.DEBUG = False

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.data import booked_share_of, build_salon  # noqa: E402
from booking.models import Appointment  # noqa: E402
from booking.selectors import available_slots, customer_window  # noqa: E402
from booking.visits import visit_available_slots  # noqa: E402
from businesses.models import Resource, Service  # noqa: E402


def time_grid(business, service, *, first_day, days: int, runs: int, visit: list | None = None) -> dict:
    """p50/p95 and query count of the whole `days`-day grid of `service` for every staff member
    (or, with `visit`, of a visit of those services)."""

    def grid():
        window = customer_window(business, now=timezone.now())
        if visit:
            items = [(s, None) for s in visit]
            return visit_available_slots(business, items, first_day=first_day, days=days, window=window)
        return available_slots(business, service, first_day=first_day, days=days, window=window)

    grid()  # warm up
    with CaptureQueriesContext(connection) as queries:
        slots = grid()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        grid()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "p50_ms": statistics.median(timings),
        "p95_ms": timings[max(0, int(len(timings) * 0.95) - 1)],
        "queries": len(queries),
        "slots": len(slots),
        "runs": runs,
    }


def measure(staff: int, days: int, runs: int) -> dict:
    business, services = build_salon(staff=staff, days=days)
    first_day = timezone.localdate(timezone=business.zone)
    result = time_grid(business, services[2], first_day=first_day, days=days, runs=runs)  # a 45-minute service
    return {
        **result,
        "staff": staff,
        "days": days,
        "appointments": Appointment.objects.filter(business=business).count(),
        "booked_share": booked_share_of(business, days=days),
    }


def measure_visit(staff: int, days: int, runs: int) -> dict:
    """Issue 16: a 2-service visit (a 90-minute colour developing 30 minutes from minute 30 and
    needing one of 3 basins, then a 45-minute cut) against the 45-minute cut alone, same run."""
    business, services = build_salon(staff=staff, days=days, name=f"Bench visit salon {staff}x{days}")
    colour, cut = services[6], services[2]
    Service.objects.filter(pk=colour.pk).update(
        processing_offset=timedelta(minutes=30), processing_duration=timedelta(minutes=30), resource_kinds=["basin"]
    )
    colour.refresh_from_db()
    for n in range(3):
        Resource.objects.create(business=business, name=f"Basin {n + 1}", kind="basin")
    first_day = timezone.localdate(timezone=business.zone)
    single = time_grid(business, cut, first_day=first_day, days=days, runs=runs)
    visit = time_grid(business, cut, first_day=first_day, days=days, runs=runs, visit=[colour, cut])
    return {"single": single, "visit": visit, "ratio": visit["p50_ms"] / single["p50_ms"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--staff", type=int)
    parser.add_argument("--days", type=int)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    cases = [(args.staff, args.days)] if args.staff and args.days else [(10, 14), (50, 60)]

    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {test_db}", file=sys.stderr)
        for staff, days in cases:
            result = measure(staff, days, args.runs if staff * days <= 500 else max(20, args.runs // 5))
            print(
                f"{result['staff']:>3} staff x {result['days']:>2} days: p50 {result['p50_ms']:7.2f} ms  "
                f"p95 {result['p95_ms']:7.2f} ms  queries {result['queries']}  "
                f"({result['appointments']} appointments, {result['booked_share']:.0%} booked, "
                f"{result['slots']} slots, {result['runs']} runs)"
            )
        if not (args.staff and args.days):
            found = measure_visit(10, 14, args.runs)
            single, visit = found["single"], found["visit"]
            print(
                f"visit colour+cut, 10 staff x 14 days, 3 basins: p50 {visit['p50_ms']:.2f} ms, "
                f"{visit['queries']} queries, {visit['slots']} visit starts; the cut alone p50 "
                f"{single['p50_ms']:.2f} ms, {single['queries']} queries: {found['ratio']:.2f}x"
            )
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
