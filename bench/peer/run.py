"""Measure django-appointment on a salon spec (runs in the peer's bench virtualenv only).

python -m bench.peer.run measure SPEC.json RUNS      -> JSON: p50/p95 ms, queries, slots
python -m bench.peer.run contend SPEC.json ROUNDS CLIENTS -> JSON: bookings per slot
"""

import json
import os
import statistics
import sys
import threading
import time
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peer.settings")
django.setup()

from appointment.models import (  # noqa: E402
    Appointment,
    AppointmentRequest,
    Config,
    Service,
    StaffMember,
    WorkingHours,
)
from appointment.services import get_available_slots_for_staff  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, connections  # noqa: E402


def peer_day_of_week(day: date) -> int:
    return (day.weekday() + 1) % 7  # the peer counts 0 = Sunday


def load(spec: dict):
    """The same salon in the peer: one interval per staff per day, no buffers, a 15-min grid."""
    Config.objects.create(slot_duration=15, lead_time=clock(9), finish_time=clock(18), appointment_buffer_time=0)
    services = [
        Service.objects.create(name=f"Service {m} #{i}", duration=timedelta(minutes=m), price=m)
        for i, m in enumerate(spec["service_minutes"])
    ]
    client = User.objects.create_user("client", "client@example.com", "x")
    staff = []
    for i in range(spec["staff"]):
        user = User.objects.create_user(f"stylist{i}", f"stylist{i}@example.com", "x", first_name=f"Stylist {i}")
        member = StaffMember.objects.create(
            user=user,
            slot_duration=15,
            lead_time=clock(9),
            finish_time=clock(18),
            work_on_saturday=True,
            work_on_sunday=False,
        )
        member.services_offered.set(services)
        start, end = spec["hours"][i][0][0], spec["hours"][i][-1][1]
        WorkingHours.objects.bulk_create(
            WorkingHours(
                staff_member=member,
                day_of_week=d,
                start_time=clock.fromisoformat(start),
                end_time=clock.fromisoformat(end),
            )
            for d in range(1, 7)
        )
        staff.append(member)
    for member_index, day, start, service_index in spec["appointments"]:
        begins = clock.fromisoformat(start)
        length = spec["service_minutes"][service_index]
        ends_minutes = begins.hour * 60 + begins.minute + length
        request = AppointmentRequest.objects.create(
            date=date.fromisoformat(day),
            start_time=begins,
            end_time=clock(ends_minutes // 60, ends_minutes % 60),
            service=services[service_index],
            staff_member=staff[member_index],
        )
        Appointment.objects.create(client=client, appointment_request=request)
    return staff, services, client


class QueryCounter:
    count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def whole_grid(spec, staff, service):
    first = date.fromisoformat(spec["first_day"])
    found = 0
    for member in staff:
        for offset in range(spec["days"]):
            day = first + timedelta(days=offset)
            found += len(get_available_slots_for_staff(day, member, peer_day_of_week(day), service))
    return found


def measure(spec: dict, runs: int) -> dict:
    staff, services, _ = load(spec)
    service = services[2]  # 45 minutes, as on the Chairtime side
    whole_grid(spec, staff, service)
    queries = QueryCounter()  # not CaptureQueriesContext: its log stops at 9,000 queries
    with connection.execute_wrapper(queries):
        slots = whole_grid(spec, staff, service)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        whole_grid(spec, staff, service)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "p50_ms": statistics.median(timings),
        "p95_ms": timings[max(0, int(len(timings) * 0.95) - 1)],
        "queries": queries.count,
        "slots": slots,
        "runs": runs,
    }


def contend(spec: dict, rounds: int, clients: int) -> dict:
    """What the peer's booking view does, from `clients` threads at once on one free slot:
    check the slot is offered, then save the request and the appointment."""
    staff, services, client = load(spec)
    service = services[0]
    first = date.fromisoformat(spec["first_day"]) + timedelta(days=1)
    per_round = []
    for round_ in range(rounds):
        day = first + timedelta(days=round_)
        while day.weekday() == 6:
            day += timedelta(days=1)
        member = staff[round_ % len(staff)]
        offered = get_available_slots_for_staff(day, member, peer_day_of_week(day), service)
        if not offered:
            continue
        start = offered[0].time()
        finish = (offered[0] + service.duration).time()
        barrier = threading.Barrier(clients)
        created = []

        def book(day=day, member=member, barrier=barrier, created=created, start=start, finish=finish):
            try:
                barrier.wait()
                free = get_available_slots_for_staff(day, member, peer_day_of_week(day), service)
                if any(slot.time() == start for slot in free):
                    request = AppointmentRequest.objects.create(
                        date=day, start_time=start, end_time=finish, service=service, staff_member=member
                    )
                    Appointment.objects.create(client=client, appointment_request=request)
                    created.append(request.pk)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=book) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        per_round.append(len(created))
    return {
        "rounds": len(per_round),
        "bookings_per_slot": per_round,
        "double_bookings": sum(n - 1 for n in per_round if n > 1),
    }


def serve_setup(spec: dict) -> dict:
    """Load the salon into a database that outlives this process, for gunicorn to serve."""
    staff, services, _ = load(spec)
    first = date.fromisoformat(spec["first_day"])
    return {
        "database": connection.settings_dict["NAME"],
        "staff": [m.pk for m in staff],
        "service": services[2].pk,
        "days": [(first + timedelta(days=i)).isoformat() for i in range(spec["days"])],
    }


def main():
    command, spec_path, *numbers = sys.argv[1:]
    spec = json.loads(Path(spec_path).read_text())
    if command == "serve-setup":
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
        print(json.dumps(serve_setup(spec)))
        return
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        result = measure(spec, int(numbers[0])) if command == "measure" else contend(spec, *map(int, numbers))
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(test_db, verbosity=0)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
