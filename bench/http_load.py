"""HTTP benchmark: gunicorn (3 workers, DEBUG off, throttles off) loaded with wrk.

    DEBUG=1 .venv/bin/python bench/http_load.py [--runs 3]    # needs `wrk` (apt-get install wrk)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/http_load.py

Measures, on a fresh `chairtime_bench` database (on DATABASE_URL's server, else the
embedded one), each figure `--runs` times (medians and ranges), in one run against the
machine: first its floors (the database's `SELECT 1` round trip and single-row insert
transactions per second; a trivial DRF endpoint, /bench/ping, on the same gunicorn at 1, 8
and 16 connections), then the 14-day availability grid of a 10-staff salon (~60% booked) at
1 and 16 connections, creates on distinct slots at 1 and 8 connections, and 50 parallel
creates on one slot, 20 rounds. Every rate is also given as a share of the trivial
endpoint's at the same connections. Celery: Redis when reachable, else in-process. Writes
bench/results/http_load.json. Not part of the test suite.
"""

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BENCH_DB = "chairtime_bench"

SETUP = """
import json
from datetime import timedelta
from django.utils import timezone
from knox.models import AuthToken
from bench.data import build_salon
from booking.selectors import available_slots, customer_window, MEMBER_WINDOW
from businesses.models import BusinessMembership
from customers.models import User

busy, services = build_salon(staff=10, days=14, name="Busy salon")
empty, empty_services = build_salon(staff=10, days=0, name="Empty salon", buffers=False)
owner = User.objects.create_user("bench-owner@example.com", is_staff=True)
BusinessMembership.objects.create(user=owner, business=empty, role="owner")
_, token = AuthToken.objects.create(user=owner)
short = min(empty_services, key=lambda s: s.duration)
first = timezone.localdate(timezone=empty.zone) + timedelta(days=1)
slots = available_slots(empty, short, first_day=first, days=59, window=customer_window(empty, now=timezone.now()))
pairs = [(str(staff_id), slot.start.isoformat()) for slot in slots for staff_id in slot.staff_ids]
print(json.dumps({
    "business": str(busy.pk), "service": str(services[2].pk), "date": str(timezone.localdate(timezone=busy.zone)),
    "empty": str(empty.pk), "short": str(short.pk), "token": token, "pairs": pairs,
}))
"""


def database_url() -> tuple[str, Path | None]:
    """(URL of the bench database, PostgreSQL log file if we know it)."""
    if os.environ.get("DATABASE_URL"):
        base = os.environ["DATABASE_URL"].split("?")[0].rsplit("/", 1)[0]
        return f"{base}/{BENCH_DB}", None
    sys.path.insert(0, str(ROOT))
    from config.embedded_db import embedded_database

    entry = embedded_database(data_root=ROOT / ".data", name=BENCH_DB)
    return f"postgres://postgres@/{BENCH_DB}?host={quote(entry['HOST'])}", ROOT / ".data" / "postgres" / "log"


def recreate_database(url: str) -> None:
    import psycopg

    admin = url.replace(f"/{BENCH_DB}", "/postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{BENCH_DB}"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# wrk prints only the 50/75/90/99th percentiles; this hook adds the 95th (and is the script
# for plain GETs).
REPORT_P95 = """
done = function(summary, latency, requests)
  io.write(string.format("p95_us %d\\n", latency:percentile(95)))
end
"""


def milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, *, connections: int, seconds: int, script: str) -> dict:
    threads = min(2, connections)
    command = ["wrk", "-s", script, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|90|99)%\s+([\d.]+\w+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": milliseconds(latency["50"]),
        "p90_ms": milliseconds(latency["90"]),
        "p95_ms": int(re.search(r"p95_us (\d+)", out).group(1)) / 1000,
        "p99_ms": milliseconds(latency["99"]),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def summary(results: list[dict]) -> dict:
    """Median and range of each figure over the runs."""
    keys = results[0].keys()
    return {
        key: {
            "median": statistics.median(r[key] for r in results),
            "min": min(r[key] for r in results),
            "max": max(r[key] for r in results),
        }
        for key in keys
    }


def spread(figure: dict, digits: int = 0) -> str:
    """ "median (min-max)"."""
    return f"{figure['median']:.{digits}f} ({figure['min']:.{digits}f}-{figure['max']:.{digits}f})"


def create_script(path: Path, data: dict, token: str, pairs: list) -> str:
    """A wrk script creating appointments on `pairs` (staff, start), each at most once."""
    lines = ",\n".join(f'{{"{staff}","{start}"}}' for staff, start in pairs)
    path.write_text(
        f"""
local pairs = {{ {lines} }}
local counter = 0
local threads = 0
-- `id` is a global set per thread by setup(): thread 1 takes odd pairs, thread 2 even ones.
function setup(thread) threads = threads + 1; thread:set("id", threads) end
request = function()
  local n = (counter * 2 + id) % #pairs + 1
  counter = counter + 1
  local pair = pairs[n]
  local body = '{{"business_id":"{data["empty"]}","service_id":"{data["short"]}","staff_id":"' .. pair[1] ..
    '","start":"' .. pair[2] .. '","customer":{{"email":"bench-customer@example.com"}}}}'
  return wrk.format("POST", "/api/appointments/create", {{["Content-Type"]="application/json",
    ["Authorization"]="Token {token}"}}, body)
end
{REPORT_P95}"""
    )
    return str(path)


def race_one_slot(base: str, body: dict, token: str, clients: int) -> list[tuple[int, float]]:
    """`clients` threads POST the same create at once; (status, milliseconds) of each."""
    barrier = threading.Barrier(clients)
    results: list = []

    def create():
        with httpx.Client(base_url=base, timeout=30) as client:
            barrier.wait()
            began = time.perf_counter()
            response = client.post("/api/appointments/create", json=body, headers={"Authorization": f"Token {token}"})
            results.append((response.status_code, (time.perf_counter() - began) * 1000))

    threads = [threading.Thread(target=create) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def contention(base: str, data: dict, token: str, rounds: int = 20, clients: int = 50) -> dict:
    # One slot per round, far from the creates of the throughput run: from the end of the list.
    targets = data["pairs"][-rounds * 40 :: 40][:rounds]
    outcomes = [
        race_one_slot(
            base,
            {
                "business_id": data["empty"],
                "service_id": data["short"],
                "staff_id": staff,
                "start": start,
                "customer": {"email": "bench-race@example.com"},
            },
            token,
            clients,
        )
        for staff, start in targets
    ]
    statuses = Counter(status for results in outcomes for status, _ in results)
    return {
        "rounds": rounds,
        "winners_per_round": sorted({sum(1 for s, _ in results if s == 201) for results in outcomes}),
        "statuses": dict(statuses),
        "slowest_ms": round(max(ms for results in outcomes for _, ms in results), 1),
    }


def start_gunicorn(
    gunicorn: Path, wsgi_module: str, env: dict, *, worker_class: str, threads: int, log_name: str = "bench-gunicorn"
) -> tuple[subprocess.Popen, str]:
    """gunicorn with 3 workers of `worker_class` on a free local port, in its own process
    group; (process, base URL)."""
    port = free_port()
    command = [str(gunicorn), wsgi_module, "-w", "3", "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    command += ["-k", worker_class, *(["--threads", str(threads)] if worker_class == "gthread" else [])]
    log = (ROOT / ".data" / f"{log_name}.log").open("w")  # the access log, out of the report's way
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log)
    return process, f"http://127.0.0.1:{port}"


def wait_until_serving(url: str, headers: dict | None = None) -> httpx.Response:
    """Poll `url` until the server answers (10 s at most)."""
    for _ in range(50):
        try:
            return httpx.get(url, timeout=2, headers=headers or {})
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers at {url}")


def celery_for_bench() -> dict:
    """Redis (db 14) when reachable: confirmations are queued off the request path, as in
    production (no worker runs; the queue is flushed afterwards). Otherwise in-process, with
    a dummy mail backend so that stdout stays readable."""
    import redis

    url = "redis://127.0.0.1:6379/14"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except redis.RedisError:
        print("Celery: in-process (no Redis), mail to the dummy backend")
        return {"CELERY_BROKER_URL": "", "EMAIL_URL": "dummymail://"}
    print(f"Celery: tasks queued on {url} (not consumed during the run)")
    return {"CELERY_BROKER_URL": url}


def database_floor(url: str, *, seconds: float = 5.0) -> dict:
    """The database's own floor, measured from this process like the app does: the `SELECT 1`
    round trip (median and p95, microseconds) and single-row insert transactions per second
    (autocommit) on 1 and on 8 connections."""
    import psycopg

    conninfo = url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS bench_floor (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())"
        )
        trips = []
        for _ in range(3000):
            began = time.perf_counter()
            connection.execute("SELECT 1").fetchone()
            trips.append((time.perf_counter() - began) * 1e6)
    trips.sort()

    def inserts(connections: int) -> float:
        counts = [0] * connections
        stop = time.perf_counter() + seconds

        def insert(n: int) -> None:
            with psycopg.connect(conninfo, autocommit=True) as connection:
                while time.perf_counter() < stop:
                    connection.execute("INSERT INTO bench_floor DEFAULT VALUES")
                    counts[n] += 1

        threads = [threading.Thread(target=insert, args=(n,)) for n in range(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sum(counts) / seconds

    return {
        "select_1_us_p50": round(statistics.median(trips), 1),
        "select_1_us_p95": round(trips[int(len(trips) * 0.95)], 1),
        "inserts_per_s_1": round(inserts(1)),
        "inserts_per_s_8": round(inserts(8)),
    }


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        cpu = found.group(1) if found else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo.read_text()).group(1))
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    return f"{platform.machine()} {cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}"


def share(rate: dict, ceiling: dict) -> str:
    return f"{100 * rate['rps']['median'] / ceiling['rps']['median']:.1f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="measurements of each figure (default 3)")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run (default 10)")
    parser.add_argument(
        "--worker-class", choices=["sync", "gthread"], default="sync", help="gunicorn's (default sync)"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (default 4)")
    options = parser.parse_args()
    runs, seconds = options.runs, options.seconds
    workers = {"worker_class": options.worker_class, "threads": options.threads}

    url, pg_log = database_url()
    recreate_database(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "THROTTLE_ANON": "off",
        "THROTTLE_USER": "off",
        "LOG_LEVEL": "WARNING",
        "BENCH_ENDPOINTS": "1",
    }
    env.update(celery_for_bench())
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    setup = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    data = json.loads(setup.stdout.strip().splitlines()[-1])
    deadlocks_before = pg_log.read_text().count("deadlock detected") if pg_log and pg_log.exists() else None
    workers_text = (
        "3 sync workers" if options.worker_class == "sync" else f"3 gthread workers x {options.threads} threads"
    )
    report: dict = {"machine": machine(), "runs": runs, "seconds": seconds, "gunicorn": workers_text}
    print(f"Machine: {report['machine']}; gunicorn {workers_text}; {runs} runs of {seconds} s each; medians (min-max)")

    floor = report["database"] = database_floor(url)
    print(
        f"database: SELECT 1 p50 {floor['select_1_us_p50']} us, p95 {floor['select_1_us_p95']} us; "
        f"single-row insert transactions {floor['inserts_per_s_1']}/s on 1 connection, "
        f"{floor['inserts_per_s_8']}/s on 8"
    )

    gunicorn = Path(PYTHON).with_name("gunicorn")
    server, base = start_gunicorn(gunicorn, "config.wsgi", env, **workers)
    folder = Path(tempfile.mkdtemp())
    try:
        wait_until_serving(f"{base}/api/business/{data['business']}/hours")
        plain = folder / "plain.lua"
        plain.write_text(REPORT_P95)

        def measure(name: str, target: str, connections: int, scripts) -> dict:
            results = [
                wrk(target, connections=connections, seconds=seconds, script=scripts(run)) for run in range(runs)
            ]
            figures = summary(results)
            report.setdefault("http", {})[f"{name} x{connections}"] = {"runs": results, **figures}
            return figures

        def line(name: str, figures: dict, ceiling: dict | None) -> None:
            ratio = f" = {share(figures, ceiling)} of the trivial endpoint's" if ceiling else ""
            print(
                f"{name}: {spread(figures['rps'])} req/s{ratio}; p50 {spread(figures['p50_ms'], 1)} ms, "
                f"p95 {spread(figures['p95_ms'], 1)} ms, p99 {spread(figures['p99_ms'], 1)} ms; "
                f"non-2xx {int(figures['non_2xx']['max'])}"
            )

        ping = f"{base}/bench/ping"
        wrk(ping, connections=4, seconds=2, script=str(plain))  # warm up every worker
        trivial = {}
        for connections in (1, 8, 16):
            trivial[connections] = measure("trivial", ping, connections, lambda run: str(plain))
            line(f"trivial endpoint, {connections:>2} connection(s)", trivial[connections], None)

        query = f"service={data['service']}&date={data['date']}&days=14"
        grid = f"{base}/api/business/{data['business']}/availability?{query}"
        print(f"14-day grid: {len(httpx.get(grid).json()['slots'])} slots")
        wrk(grid, connections=4, seconds=3, script=str(plain))
        for connections in (1, 16):
            figures = measure("availability", grid, connections, lambda run: str(plain))
            line(f"availability, warm, {connections:>2} connection(s)", figures, trivial[connections])
        # Cold: what the first request after a booking change costs, every time (the same
        # server configuration with the availability cache off).
        uncached, uncached_base = start_gunicorn(
            gunicorn, "config.wsgi", {**env, "AVAILABILITY_CACHE_SECONDS": "0"}, **workers, log_name="bench-cold"
        )
        try:
            cold_grid = grid.replace(base, uncached_base)
            wait_until_serving(cold_grid)
            wrk(cold_grid, connections=4, seconds=3, script=str(plain))
            for connections in (1, 16):
                figures = measure("availability cold", cold_grid, connections, lambda run: str(plain))
                line(f"availability, cold, {connections:>2} connection(s)", figures, trivial[connections])
        finally:
            os.killpg(uncached.pid, signal.SIGTERM)
            uncached.wait(timeout=10)

        # Each run of each connection count books its own share of the free slots, so no run
        # meets a slot an earlier one took; the contention rounds use the last pairs.
        pairs = data["pairs"][: -20 * 40]
        chunk = len(pairs) // (2 * runs)
        creates = {}
        for index, connections in enumerate((1, 8)):

            def script(run: int, index=index) -> str:
                first = (index * runs + run) * chunk
                return create_script(
                    folder / f"create-{index}-{run}.lua", data, data["token"], pairs[first : first + chunk]
                )

            creates[connections] = measure("creates", f"{base}/api/appointments/create", connections, script)
            line(f"creates on distinct slots, {connections} connection(s)", creates[connections], trivial[connections])
        tail = creates[8]["p95_ms"]["median"] / creates[1]["p50_ms"]["median"]
        print(f"creates: p95 at 8 connections = {tail:.1f}x the 1-connection p50")

        race = report["contention"] = contention(base, data, data["token"])
        slowest = race["slowest_ms"] / creates[1]["p50_ms"]["median"]
        print(
            f"50 parallel creates on one slot x {race['rounds']}: winners per round {race['winners_per_round']}, "
            f"statuses {race['statuses']}, slowest {race['slowest_ms']} ms = {slowest:.1f}x the 1-connection "
            "create p50"
        )
        if deadlocks_before is not None:
            race["deadlocks"] = pg_log.read_text().count("deadlock detected") - deadlocks_before
            print(f"deadlocks in the PostgreSQL log: {race['deadlocks']}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
        shutil.rmtree(folder)
    out = ROOT / "bench" / "results" / f"http_load{'' if options.worker_class == 'sync' else '-gthread'}.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"raw figures: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
