"""Chairtime side by side with django-appointment, on the same salon.

    DEBUG=1 .venv/bin/python bench/compare.py            # needs wrk for the HTTP part

The peer is installed only in its own virtualenv (.data/bench-peer/venv: django-appointment
3.12.0, psycopg, gunicorn, matplotlib), never in the project; its wheel has no migrations,
so they are generated there (`makemigrations appointment`). Both systems get the same spec
from bench/data.py in the peer's shape: one 09:00-18:00 interval per staff member per day
(Mon-Sat), no buffers, a 15-minute grid, ~60% booked. Results go to bench/results/ and
bench/RESULTS.md is written from them.
"""

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.availability import time_grid  # noqa: E402
from bench.data import ZONE, load_spec, salon_spec  # noqa: E402
from bench.http_load import start_gunicorn, wait_until_serving, wrk  # noqa: E402

settings.DEBUG = False
settings.ALLOWED_HOSTS = ["testserver"]
ROOT = Path(__file__).resolve().parent.parent
PEER = ROOT / ".data" / "bench-peer"
PEER_PYTHON = PEER / "venv" / "bin" / "python"
RESULTS = ROOT / "bench" / "results"
PEER_PACKAGES = ["django-appointment==3.12.0", "psycopg[binary]==3.3.9", "gunicorn==27.0.1", "matplotlib"]
CASES = [(1, 14), (5, 14), (10, 14), (20, 14), (50, 14), (10, 7), (10, 30), (10, 60), (50, 60)]


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def peer_env() -> dict:
    db = settings.DATABASES["default"]
    host = db.get("HOST") or ""
    url = (
        f"postgres://{db['USER']}@/peer_bench?host={quote(host)}"
        if host.startswith("/")
        else f"postgres://{db['USER']}:{quote(db.get('PASSWORD') or '')}@{host}:{db.get('PORT') or 5432}/peer_bench"
    )
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.peer.settings",
        "PYTHONPATH": str(ROOT),
        "PEER_MIGRATION_ROOT": str(PEER / "migrations"),
        "DATABASE_URL": url,
    }


def ensure_peer() -> None:
    if not PEER_PYTHON.exists():
        PEER.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(PEER / "venv")], check=True)
        subprocess.run([str(PEER_PYTHON), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
    package = PEER / "migrations" / "peer_migrations" / "appointment"
    if not (package / "0001_initial.py").exists():
        package.mkdir(parents=True, exist_ok=True)
        (package.parent / "__init__.py").touch()
        (package / "__init__.py").touch()
        subprocess.run(
            [str(PEER_PYTHON), "-m", "django", "makemigrations", "appointment", "-v0"],
            env=peer_env(),
            cwd=ROOT,
            check=True,
        )


def peer(*args: str) -> dict:
    out = subprocess.run(
        [str(PEER_PYTHON), "-m", "bench.peer.run", *args],
        env=peer_env(),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def spec_for(staff: int, days: int):
    first_day = timezone.localdate(timezone=ZoneInfo(ZONE)) + timedelta(days=1)
    return salon_spec(staff=staff, days=days, lunch_breaks=False, buffers=False, first_day=first_day)


def through_the_view(business, service, *, first_day: date, days: int, runs: int) -> dict:
    """p50s (ms) of the availability API through Django's test client, cold (the cache off:
    what the first request after a booking change costs) and warm (the same request again)."""
    client = Client()
    url = f"/api/business/{business.pk}/availability"
    query = {"service": service.pk, "date": first_day, "days": days}

    def p50(requests: int) -> float:
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url, query)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content
        return statistics.median(timings)

    with override_settings(AVAILABILITY_CACHE_SECONDS=0):
        p50(3)
        cold = p50(runs)
    p50(3)  # the first of these fills the cache
    return {"cold_p50_ms": cold, "warm_p50_ms": p50(runs * 5), "cache": settings.CACHES["default"]["BACKEND"]}


def in_process(folder: Path, cases: list) -> list[dict]:
    rows = []
    for staff, days in cases:
        spec = spec_for(staff, days)
        path = folder / f"spec-{staff}x{days}.json"
        path.write_text(json.dumps(spec.to_dict()))
        business, services = load_spec(spec, name=f"Compare {staff}x{days}")
        ours = time_grid(
            business,
            services[2],
            first_day=date.fromisoformat(spec.first_day),
            days=days,
            runs=100 if staff * days <= 500 else 30,
        )
        view = through_the_view(
            business, services[2], first_day=date.fromisoformat(spec.first_day), days=days, runs=30
        )
        peer_runs = max(3, min(30, int(3000 / (staff * days))))
        theirs = peer("measure", str(path), str(peer_runs))
        row = {
            "staff": staff,
            "days": days,
            "appointments": len(spec.appointments),
            "chairtime": ours,
            "chairtime_view": view,
            "peer": theirs,
            "ratio": theirs["p50_ms"] / ours["p50_ms"],
            "ratio_view_cold": theirs["p50_ms"] / view["cold_p50_ms"],
            "ratio_view_warm": theirs["p50_ms"] / view["warm_p50_ms"],
        }
        print(
            f"{staff:>3} x {days:>2}: chairtime p50 {ours['p50_ms']:8.2f} ms ({ours['queries']} q), "
            f"peer p50 {theirs['p50_ms']:9.1f} ms ({theirs['queries']} q), x{row['ratio']:.0f}; "
            f"through the API view cold {view['cold_p50_ms']:.2f} ms (x{row['ratio_view_cold']:.0f}), "
            f"warm {view['warm_p50_ms']:.2f} ms (x{row['ratio_view_warm']:.0f})",
            flush=True,
        )
        rows.append(row)
    return rows


def peer_over_http(spec_path: Path) -> dict:
    """The peer behind gunicorn (3 workers): its slots answer is per staff member per day, so
    the same information as one Chairtime 14-day grid takes staff x days requests."""
    setup = peer("serve-setup", str(spec_path))
    env = {**peer_env(), "DATABASE_URL": peer_env()["DATABASE_URL"].replace("/peer_bench", f"/{setup['database']}")}
    server, base = start_gunicorn(PEER_PYTHON.with_name("gunicorn"), "bench.peer.wsgi", env)
    urls = [
        f"/appointment/ajax/available_slots/?selected_date={day}&staff_member={staff}&service_id={setup['service']}"
        for staff in setup["staff"]
        for day in setup["days"]
    ]
    try:
        response = wait_until_serving(base + urls[0], headers={"X-Requested-With": "XMLHttpRequest"})
        if response.status_code != 200 or not response.json().get("available_slots"):
            raise RuntimeError(f"the peer answers {response.status_code}: {response.text[:300]}")
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(
                "local urls = {" + ",".join(f'"{u}"' for u in urls) + "}\nlocal n = 0\n"
                "local ajax = {['X-Requested-With'] = 'XMLHttpRequest'}\n"
                "request = function() n = n + 1; return wrk.format('GET', urls[(n % #urls) + 1], ajax) end\n"
            )
        wrk(base + urls[0], connections=4, seconds=3, script=script.name)  # warm every worker
        results = {"requests_per_grid": len(urls)}
        for connections in (1, 16):
            result = wrk(base + urls[0], connections=connections, seconds=10, script=script.name)
            if result["non_2xx"]:
                raise RuntimeError(f"the peer answered {result['non_2xx']} requests with errors")
            results[str(connections)] = {**result, "grids_per_s": result["rps"] / len(urls)}
        return results
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
        drop_database(env["DATABASE_URL"].replace(f"/{setup['database']}", "/postgres"), setup["database"])


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="one case, e.g. 10x14 (in-process only: no HTTP, no contention)")
    options = parser.parse_args()
    cases = [tuple(int(n) for n in options.only.split("x"))] if options.only else CASES
    ensure_peer()
    RESULTS.mkdir(parents=True, exist_ok=True)
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        folder = RESULTS / "specs"
        folder.mkdir(exist_ok=True)
        rows = in_process(folder, cases)
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
    if options.only:
        (RESULTS / f"compare-{options.only}.json").write_text(json.dumps({"machine": machine(), "in_process": rows}))
        return
    http = peer_over_http(folder / "spec-10x14.json")
    print(
        f"peer over HTTP, 10 x 14 grid = {http['requests_per_grid']} requests: "
        f"1 connection p50 {http['1']['p50']} per request, {http['1']['grids_per_s']:.2f} grids/s; "
        f"16 connections {http['16']['grids_per_s']:.2f} grids/s",
        flush=True,
    )
    contention = peer("contend", str(folder / "spec-10x14.json"), "20", "50")
    print(
        f"peer, 50 parallel bookings of one slot x {contention['rounds']}: bookings per slot "
        f"{contention['bookings_per_slot']}, double bookings {contention['double_bookings']}",
        flush=True,
    )
    results = {
        "machine": machine(),
        "in_process": rows,
        "peer_http": http,
        "peer_contention": contention,
    }
    (RESULTS / "compare.json").write_text(json.dumps(results, indent=2))
    subprocess.run(
        [
            str(PEER_PYTHON),
            str(ROOT / "bench" / "plot.py"),
            str(RESULTS / "compare.json"),
            str(RESULTS / "scaling.png"),
        ],
        check=True,
    )
    print(f"wrote {RESULTS / 'compare.json'} and {RESULTS / 'scaling.png'}")


if __name__ == "__main__":
    main()
