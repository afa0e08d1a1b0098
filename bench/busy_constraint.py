"""Two ways to let PostgreSQL refuse overlapping staff busy time with processing windows
(issue 16): a multirange column with one GiST exclusion constraint (what Chairtime uses), and
a child table of busy pieces with its own exclusion constraint and a status copy.

    DEBUG=1 .venv/bin/python bench/busy_constraint.py [--staff 20 --days 60 --runs 5]

Builds both designs in a scratch schema of a throw-away database (Django's test database
machinery, as the other benchmarks), fills them with the same bookings (every staff member
booked back to back all day, half the bookings with a processing window), then measures per
run: the bulk insert, one conflicting insert refused, a status change (cancel) and the busy
read of one 14-day grid for every staff member. Prints medians and ranges of the runs.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402

settings.DEBUG = False

from django.db import IntegrityError, connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

FIRST_DAY = datetime(2030, 1, 1, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
SCHEMA = """
DROP SCHEMA IF EXISTS busy_bench CASCADE;
CREATE SCHEMA busy_bench;
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE busy_bench.multi (
    id bigserial PRIMARY KEY, staff int NOT NULL, status text NOT NULL,
    busy tstzmultirange NOT NULL,
    EXCLUDE USING gist (staff WITH =, busy WITH &&) WHERE (status IN ('confirmed', 'arrived'))
);
CREATE TABLE busy_bench.booking (id bigserial PRIMARY KEY, staff int NOT NULL, status text NOT NULL);
CREATE TABLE busy_bench.piece (
    booking bigint NOT NULL REFERENCES busy_bench.booking ON DELETE CASCADE, staff int NOT NULL,
    busy tstzrange NOT NULL, holds boolean NOT NULL,
    EXCLUDE USING gist (staff WITH =, busy WITH &&) WHERE (holds)
);
CREATE INDEX ON busy_bench.piece (booking);
CREATE FUNCTION busy_bench.copy_status() RETURNS trigger AS $$
BEGIN
    UPDATE busy_bench.piece SET holds = NEW.status IN ('confirmed', 'arrived') WHERE booking = NEW.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER copy_status AFTER UPDATE OF status ON busy_bench.booking
    FOR EACH ROW EXECUTE FUNCTION busy_bench.copy_status();
"""


def bookings(staff: int, days: int) -> list[tuple[int, list[tuple[str, str]]]]:
    """(staff, busy pieces) of 60-minute bookings 09:00-18:00; every other one develops from
    minute 20 to minute 40 (two pieces)."""
    rows = []
    for member in range(staff):
        for day in range(days):
            for hour in range(9, 18):
                start = FIRST_DAY + timedelta(days=day, hours=hour)
                if hour % 2:
                    pieces = [(start, start + 20 * MINUTE), (start + 40 * MINUTE, start + 60 * MINUTE)]
                else:
                    pieces = [(start, start + 60 * MINUTE)]
                rows.append((member, [(a.isoformat(), b.isoformat()) for a, b in pieces]))
    return rows


def multirange(pieces) -> str:
    return "{" + ",".join(f'["{a}","{b}")' for a, b in pieces) + "}"


def run_once(cursor, rows, staff: int) -> dict:
    cursor.execute("TRUNCATE busy_bench.multi, busy_bench.booking, busy_bench.piece")
    timings = {}

    started = time.perf_counter()
    for member, pieces in rows:  # one booking at a time, as the booking service writes them
        cursor.execute(
            "INSERT INTO busy_bench.multi (staff, status, busy) VALUES (%s, 'confirmed', %s::tstzmultirange)",
            [member, multirange(pieces)],
        )
    timings["multirange: insert all"] = time.perf_counter() - started
    started = time.perf_counter()
    for member, pieces in rows:
        cursor.execute(
            "INSERT INTO busy_bench.booking (staff, status) VALUES (%s, 'confirmed') RETURNING id", [member]
        )
        (booking,) = cursor.fetchone()
        cursor.executemany(
            "INSERT INTO busy_bench.piece (booking, staff, busy, holds) VALUES (%s, %s, tstzrange(%s, %s), true)",
            [(booking, member, a, b) for a, b in pieces],
        )
    timings["child table: insert all"] = time.perf_counter() - started

    member, pieces = rows[len(rows) // 2]
    for label, statement, params in (
        (
            "multirange: refuse a clash",
            "INSERT INTO busy_bench.multi (staff, status, busy) VALUES (%s, 'confirmed', %s::tstzmultirange)",
            [member, multirange(pieces)],
        ),
        (
            "child table: refuse a clash",
            "INSERT INTO busy_bench.piece (booking, staff, busy, holds) VALUES (1, %s, tstzrange(%s, %s), true)",
            [member, *pieces[0]],
        ),
    ):
        started = time.perf_counter()
        try:
            with transaction.atomic():
                cursor.execute(statement, params)
            raise AssertionError(f"{label}: the clash was not refused")
        except IntegrityError:
            pass
        timings[label] = time.perf_counter() - started

    started = time.perf_counter()
    cursor.execute(
        "UPDATE busy_bench.multi SET status = 'cancelled' WHERE id = (SELECT min(id) FROM busy_bench.multi)"
    )
    timings["multirange: cancel one"] = time.perf_counter() - started
    started = time.perf_counter()
    cursor.execute(
        "UPDATE busy_bench.booking SET status = 'cancelled' WHERE id = (SELECT min(id) FROM busy_bench.booking)"
    )
    timings["child table: cancel one"] = time.perf_counter() - started

    window = (FIRST_DAY, FIRST_DAY + timedelta(days=14))
    members = list(range(staff))
    started = time.perf_counter()
    cursor.execute(
        "SELECT m.staff, extract(epoch FROM lower(p))::bigint, extract(epoch FROM upper(p))::bigint"
        " FROM busy_bench.multi m CROSS JOIN LATERAL unnest(m.busy) AS p"
        " WHERE m.staff = ANY(%s) AND m.status IN ('confirmed', 'arrived') AND m.busy && tstzrange(%s, %s)",
        [members, *window],
    )
    read_multi = len(cursor.fetchall())
    timings["multirange: read 14 days"] = time.perf_counter() - started
    started = time.perf_counter()
    cursor.execute(
        "SELECT staff, extract(epoch FROM lower(busy))::bigint, extract(epoch FROM upper(busy))::bigint"
        " FROM busy_bench.piece WHERE staff = ANY(%s) AND holds AND busy && tstzrange(%s, %s)",
        [members, *window],
    )
    read_child = len(cursor.fetchall())
    timings["child table: read 14 days"] = time.perf_counter() - started
    assert read_multi == read_child, (read_multi, read_child)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=20)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        rows = bookings(options.staff, options.days)
        with connection.cursor() as cursor:
            cursor.execute(SCHEMA)
            runs = [run_once(cursor, rows, options.staff) for _ in range(options.runs)]
            cursor.execute("SELECT version()")
            (version,) = cursor.fetchone()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"{len(rows)} bookings ({options.staff} staff x {options.days} days), {options.runs} runs; {version}")
    print(f"machine: {os.cpu_count()} cores, {os.uname().machine}, {os.uname().release}")
    for label in runs[0]:
        values = [run[label] * 1000 for run in runs]
        print(f"{label:30} median {statistics.median(values):9.2f} ms   range {min(values):.2f}-{max(values):.2f}")


if __name__ == "__main__":
    main()
