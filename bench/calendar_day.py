"""Front desk benchmark: the admin's day view of a 20-staff salon with about 200 appointments.

    DEBUG=1 .venv/bin/python bench/calendar_day.py [--staff 20 --runs 50]

Runs in-process against a throw-away database (like availability.py), through the whole
Django stack (middleware, session, admin login, template) with the test client: the server
time of `GET /admin/calendar/?view=day`, next to a trivial endpoint on the same stack
(`/styles/brand/{id}`, one query) and the calendar's data and layout alone. Prints the
median and range of each, their ratio, the query count and the machine. Target: day view
under 100 ms server time.
"""

import argparse
import os
import platform
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

settings.DEBUG = False  # DEBUG=1 only picks the embedded database; query logging would distort timings
settings.ALLOWED_HOSTS = ["testserver"]

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.data import ZONE, load_spec, salon_spec  # noqa: E402
from booking.models import Appointment  # noqa: E402
from booking.selectors import MEMBER_WINDOW, available_slots  # noqa: E402
from businesses.models import BusinessMembership  # noqa: E402
from customers.models import CustomerAccount, User  # noqa: E402
from frontdesk import calendar  # noqa: E402


def timed(call, runs: int) -> list[float]:
    call()  # warm up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings)


def summary(timings: list[float]) -> str:
    return f"median {statistics.median(timings):7.2f} ms  range {timings[0]:.2f}–{timings[-1]:.2f} ms"


def top_up(business, day, target: int) -> None:
    """Fill free 15-minute slots (every other one, staff in turn) until `target` appointments."""
    service = business.services.get(duration=timedelta(minutes=15))
    customer = CustomerAccount.objects.get(email="bench@example.com")
    count = Appointment.objects.filter(business=business).count()
    for member in business.staff.order_by("position"):
        slots = available_slots(business, service, first_day=day, staff=member, window=MEMBER_WINDOW)
        taken_until = None
        for slot in slots:
            if count >= target:
                return
            if taken_until and slot.start < taken_until + timedelta(minutes=15):
                continue
            appointment = Appointment(
                business=business, customer=customer, staff=member, service=service, price=service.price
            )
            appointment.set_times(slot.start, service.duration, service.buffer_before, service.buffer_after)
            appointment.save()
            taken_until = appointment.blocked_range.upper
            count += 1


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    database = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 100}"
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {database}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--staff", type=int, default=20)
    parser.add_argument("--appointments", type=int, default=200)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        # A Wednesday: the generated salon works Monday to Saturday.
        today = timezone.localdate(timezone=timezone.get_fixed_timezone(0))
        day = today + timedelta(days=(2 - today.weekday()) % 7)
        spec = salon_spec(staff=args.staff, days=1, booked_share=0.6, seed=3, first_day=day)
        business, _ = load_spec(spec, name="Bench front desk")
        top_up(business, day, args.appointments)
        owner = User.objects.create_user("owner@bench.example", "bench-password", is_staff=True)
        BusinessMembership.objects.create(user=owner, business=business, role=BusinessMembership.Role.OWNER)
        client = Client()
        client.force_login(owner)
        url = f"/admin/calendar/?business={business.pk}&date={day.isoformat()}"
        trivial = f"/styles/brand/{business.pk}"

        response = client.get(url)
        assert response.status_code == 200, response.status_code
        queries = []  # counted by a wrapper: the request's start clears Django's query log

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            assert client.get(url).status_code == 200
        appointments = Appointment.objects.filter(business=business).count()
        staff = list(business.staff.order_by("position"))

        def layout():
            loaded = calendar.load(business, staff, first_day=day, days=1)
            return calendar.day_view(loaded, now=timezone.now())

        day_view = timed(lambda: client.get(url), args.runs)
        brand = timed(lambda: client.get(trivial, HTTP_IF_NONE_MATCH=""), args.runs)
        data = timed(layout, args.runs)
        print(f"machine: {machine()}")
        print(f"salon: {len(staff)} staff, {appointments} appointments on {day} ({ZONE}), {args.runs} runs each")
        print(f"day view (whole request):   {summary(day_view)}  queries {len(queries)}")
        print(f"calendar data + layout:     {summary(data)}")
        print(f"trivial endpoint (brand):   {summary(brand)}")
        print(f"ratio day view / trivial:   {statistics.median(day_view) / statistics.median(brand):.1f}x")
        verdict = "met" if statistics.median(day_view) < 100 else "NOT met"
        print(f"target < 100 ms server time: {verdict}")
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
