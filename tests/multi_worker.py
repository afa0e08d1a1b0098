"""A real multi-worker server (gunicorn with deploy/gunicorn.conf.py, two workers) on the test
database, for tests whose behaviour depends on several processes: shared rate limits, races
between workers, the production server configuration itself.

Tests that use it need `django_db(transaction=True)`, so that the workers see their data.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def test_database_url() -> str:
    """The test database as a DATABASE_URL (a socket folder goes in ?host=)."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or db.get("OPTIONS", {}).get("host", "")
    if host.startswith("/"):
        return f"postgres://{user}{password}@/{db['NAME']}?host={quote(host)}"
    return f"postgres://{user}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(**overrides: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(DEBUG="1", DATABASE_URL=test_database_url(), EMAIL_URL="dummymail://", CELERY_BROKER_URL="")
    env.update(overrides)
    return env


@contextmanager
def gunicorn(*, workers: int = 2, threads: int = 1, stderr: Path | None = None, **env_overrides: str):
    """Serve config.wsgi with `workers` processes of `threads` threads; yields the base URL;
    stops them by PID. `stderr`: a file for the server's log (else the test's own stderr)."""
    port = free_port()
    env = server_env(
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY=str(workers),
        GUNICORN_THREADS=str(threads),
        **{"LOG_LEVEL": "WARNING", **env_overrides},
    )
    # The production configuration (deploy/gunicorn.conf.py), sized by its environment variables.
    command = [str(GUNICORN), "--config", "deploy/gunicorn.conf.py", "config.wsgi"]
    log = stderr.open("ab") if stderr is not None else None
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=2).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        if log is not None:
            log.close()
