"""A real Celery worker on the machine's Redis delivers a booking's confirmation, once."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

from booking.models import Notification
from booking.services import Actor, appointment_book
from booking.tasks import send_appointment_notification
from config.celery import app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[2]


def redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        message = f"NO REDIS at {REDIS_URL}: the real-worker test is SKIPPED"
        print(f"\n{'!' * 80}\n{message}\n{'!' * 80}")
        pytest.skip(message)


def database_url(db: dict) -> str:
    host = db.get("HOST") or ""
    if host.startswith("/"):  # the embedded server's socket folder
        return f"postgres://{db['USER']}@/{db['NAME']}?host={quote(host)}"
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def sent_subjects(folder: Path, prefix: str) -> list[str]:
    if not folder.exists():
        return []
    lines = (line for path in folder.iterdir() for line in path.read_text().splitlines())
    return [line for line in lines if line.startswith(f"Subject: {prefix}")]


def wait_for(condition, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def worker_env() -> dict[str, str]:
    """More environment for the worker (a test module may override this fixture)."""
    return {}


@pytest.fixture
def worker(settings, tmp_path, worker_env):
    redis_or_skip()
    queue = f"chairtime-test-{uuid.uuid4().hex[:8]}"
    outbox = tmp_path / "mail"
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url(settings.DATABASES["default"]),
        "CELERY_BROKER_URL": REDIS_URL,
        "EMAIL_URL": f"filemail:///{outbox}",
        **worker_env,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = tmp_path / "worker.log"
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    previous = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")}
    app.conf.update(task_always_eager=False, broker_url=REDIS_URL, task_default_queue=queue)
    forget_connections()
    try:
        assert wait_for(lambda: "ready" in log.read_text(), 60), log.read_text()
        yield outbox, log
    finally:
        app.conf.update(previous)
        forget_connections()
        process.terminate()
        process.wait(timeout=20)


def forget_connections() -> None:
    """Celery caches its connection pool and queue routing on first use; after changing the
    broker and queue in this process, drop them (as Celery itself does after a fork)."""
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
        for cached in ("queues", "router"):
            amqp.__dict__.pop(cached, None)


def test_the_worker_delivers_the_confirmation_once(worker, salon, staff, services, dana):
    from datetime import UTC, datetime

    outbox, log = worker
    appointment = appointment_book(
        business=salon,
        service=services[0],
        staff=staff[0],
        start=datetime(2030, 3, 4, 10, tzinfo=UTC),
        by=Actor.system(),
        customer=dana,
    )
    assert wait_for(lambda: sent_subjects(outbox, "Booked:")), "the worker sent no confirmation"
    assert Notification.objects.get(appointment=appointment).status == "sent"

    # The same task twice more, as a duplicate delivery or a retry would: still one email.
    for _ in range(2):
        send_appointment_notification.delay(str(appointment.pk), "confirmation", 0)
    finished = lambda: log.read_text().count("booking.send_appointment_notification[") >= 6  # noqa: E731
    assert wait_for(finished), log.read_text()  # 3 tasks: "received" and "succeeded" each
    assert len(sent_subjects(outbox, "Booked:")) == 1
    assert Notification.objects.get(appointment=appointment).attempts == 1
