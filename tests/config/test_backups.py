"""`make backup` / `make restore`: a dump restored into a fresh database holds the same data."""

import uuid
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from config.backups import BackupError, backup, connection_kwargs, restore
from tests.factories import make_appointment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fresh_database():
    """An empty database on the same server, dropped afterwards."""
    source = connection.settings_dict
    name = f"chairtime_restore_{uuid.uuid4().hex[:8]}"
    admin = {**connection_kwargs(source), "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**source, "NAME": name}
    finally:
        with psycopg.connect(**admin, autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def appointments_in(db: dict) -> list[tuple]:
    with psycopg.connect(**connection_kwargs(db)) as restored:
        return restored.execute("SELECT id, start, status FROM booking_appointment ORDER BY start").fetchall()


def test_a_backup_restores_into_a_fresh_database(salon, staff, services, dana, tmp_path, fresh_database):
    made = [
        make_appointment(staff=staff[0], service=services[0], customer=dana, start=datetime(2030, 3, 4, h, tzinfo=UTC))
        for h in (10, 11, 12)
    ]
    out = StringIO()
    call_command("backup_database", "--dir", str(tmp_path), stdout=out)
    dump = Path(out.getvalue().strip())
    assert dump.parent == tmp_path and dump.suffix == ".dump" and dump.stat().st_size > 0

    restore(fresh_database, dump)
    assert appointments_in(fresh_database) == [(a.pk, a.start, a.status) for a in made]
    with psycopg.connect(**connection_kwargs(fresh_database)) as restored:
        (version,) = restored.execute("SELECT availability_version FROM businesses_business").fetchone()
    assert version > datetime.now(UTC).timestamp() * 1000 - 60_000  # past anything the cache holds

    with pytest.raises(BackupError, match="not empty"):
        restore(fresh_database, dump)
    restore(fresh_database, dump, force=True)  # replaces what the backup holds
    assert len(appointments_in(fresh_database)) == 3


def test_no_password_on_the_command_line(monkeypatch, tmp_path):
    seen = {}

    def record(command, env, **kwargs):
        seen.update(command=command, env=env)
        raise SystemExit  # stop before running anything

    db = {**connection.settings_dict, "PASSWORD": "s3cret-pass"}
    monkeypatch.setattr("config.backups.server_major", lambda db: 18)
    monkeypatch.setattr("config.backups.program", lambda name, major: name)
    monkeypatch.setattr("config.backups.subprocess.run", record)
    with pytest.raises(SystemExit):
        backup(db, tmp_path)
    assert "s3cret-pass" not in " ".join(seen["command"])
    assert seen["env"]["PGPASSWORD"] == "s3cret-pass"
