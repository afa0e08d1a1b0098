"""HTTP benchmark: gunicorn (3 workers, DEBUG off, throttles off) loaded with wrk.

    DEBUG=1 .venv/bin/python bench/http_load.py            # needs `wrk` (apt-get install wrk)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/http_load.py

Measures, on a fresh `chairtime_bench` database (on DATABASE_URL's server, else the
embedded one): the 14-day availability grid of a 10-staff salon (~60% booked) at 1 and 16
connections; creates on distinct slots at 8 connections; and 50 parallel creates on one
slot, 20 rounds. Celery runs in-process (no CELERY_BROKER_URL). Not part of the test suite.
"""

import json
import os
import re
import secrets
import signal
import socket
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


def wrk(url: str, *, connections: int, seconds: int, script: str | None = None) -> dict:
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script:
        command[1:1] = ["-s", script]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+\w+)", out, re.M))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "p50": latency.get("50"),
        "p90": latency.get("90"),
        "p99": latency.get("99"),
        "rps": rate,
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def create_script(path: Path, data: dict, token: str) -> str:
    pairs = data["pairs"]
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
"""
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


def start_gunicorn(gunicorn: Path, wsgi_module: str, env: dict) -> tuple[subprocess.Popen, str]:
    """gunicorn with 3 workers on a free local port, in its own process group; (process, base URL)."""
    port = free_port()
    command = [str(gunicorn), wsgi_module, "-w", "3", "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True), f"http://127.0.0.1:{port}"


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


def main() -> None:
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
    }
    env.update(celery_for_bench())
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    setup = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    data = json.loads(setup.stdout.strip().splitlines()[-1])
    deadlocks_before = pg_log.read_text().count("deadlock detected") if pg_log and pg_log.exists() else None

    server, base = start_gunicorn(Path(PYTHON).with_name("gunicorn"), "config.wsgi", env)
    try:
        wait_until_serving(f"{base}/api/business/{data['business']}/hours")
        query = f"service={data['service']}&date={data['date']}&days=14"
        grid = f"{base}/api/business/{data['business']}/availability?{query}"
        slots = len(httpx.get(grid).json()["slots"])
        print(f"14-day grid: {slots} slots")
        wrk(grid, connections=4, seconds=3)  # warm up every worker
        for connections in (1, 16):
            result = wrk(grid, connections=connections, seconds=10)
            print(
                f"availability, {connections:>2} connection(s): p50 {result['p50']}, p90 {result['p90']}, "
                f"p99 {result['p99']}, {result['rps']:.0f} req/s, non-2xx {result['non_2xx']}"
            )
        with tempfile.TemporaryDirectory() as folder:
            script = create_script(Path(folder) / "create.lua", data, data["token"])
            result = wrk(f"{base}/api/appointments/create", connections=8, seconds=10, script=script)
        print(
            f"creates on distinct slots, 8 connections: p50 {result['p50']}, p90 {result['p90']}, "
            f"p99 {result['p99']}, {result['rps']:.0f} req/s, non-2xx {result['non_2xx']}"
        )
        race = contention(base, data, data["token"])
        print(
            f"50 parallel creates on one slot x {race['rounds']}: winners per round {race['winners_per_round']}, "
            f"statuses {race['statuses']}, slowest {race['slowest_ms']} ms"
        )
        if deadlocks_before is not None:
            print(
                f"deadlocks in the PostgreSQL log: {pg_log.read_text().count('deadlock detected') - deadlocks_before}"
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
