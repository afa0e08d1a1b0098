"""One round trip for a booking's locks: `chairtime_lock_booking(keys, timeout)` sets the
transaction's lock_timeout and takes the advisory lock of each key in the order given
(booking/locks.py sorts them, so writers needing overlapping sets cannot deadlock)."""

from django.db import migrations

CREATE = """
CREATE FUNCTION chairtime_lock_booking(keys text[], timeout text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    key text;
BEGIN
    PERFORM set_config('lock_timeout', timeout, true);  -- true: until the transaction ends
    FOREACH key IN ARRAY keys LOOP
        PERFORM pg_advisory_xact_lock(hashtextextended(key, 0));
    END LOOP;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("booking", "0007_availability_version_triggers")]

    operations = [
        migrations.RunSQL(CREATE, "DROP FUNCTION chairtime_lock_booking(text[], text);"),
    ]
