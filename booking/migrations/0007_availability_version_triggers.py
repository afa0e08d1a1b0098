"""Business.availability_version is bumped by the database itself, in the transaction of
every change that can alter what is bookable (DESIGN: a cached answer is never stale).

Row triggers on every table the availability engine reads add one to the version of the
business the row belongs to. They are DEFERRABLE INITIALLY DEFERRED constraint triggers, so
the business row is updated (and locked) only at commit: concurrent bookings of one salon
queue on that lock for the commit alone, not for their whole transaction. A reader sees the
new version only once the change is committed, and reads the data after the version, so an
answer cached under a version is never older than that version. Any other change of the
business row (its booking policy, hours zone, ...) bumps the version in a BEFORE trigger.
"""

from django.db import migrations

# Each watched table, how its rows name their business (directly, or through a staff member,
# service or resource), and the columns the availability engine never reads: an UPDATE that
# changes only those (a customer's records claimed or erased, notes) bumps nothing.
WATCHED = {
    "booking_appointment": (
        "business_id",
        "{customer_id,notes,cancel_reason,price,source,sequence,created_by_id,updated_at,visit_id}",
    ),
    "booking_resourcebooking": ("resource_id", "{}"),
    "businesses_openinghours": ("business_id", "{}"),
    "businesses_workinghours": ("staff_id", "{}"),
    "businesses_timeoff": ("business_id", "{}"),
    "businesses_service": ("business_id", "{}"),
    "businesses_staffmember_services": ("service_id", "{}"),
    "businesses_staffmember": ("business_id", "{}"),
    "businesses_resource": ("business_id", "{}"),
}

# At commit, each business is bumped once however many of its rows changed (the ids bumped
# so far live in a transaction-local setting): the deferred triggers run after every
# statement of the transaction, so the first bump already covers them all.
FUNCTIONS = """
CREATE FUNCTION chairtime_bump_availability() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    via text := TG_ARGV[0];
    unread text[] := TG_ARGV[1]::text[];
    ids uuid[] := '{}';
    targets uuid[];
    bumped text := coalesce(current_setting('chairtime.availability_bumped', true), '');
BEGIN
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - unread) = (to_jsonb(OLD) - unread) THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'DELETE' THEN ids := ids || (to_jsonb(NEW) ->> via)::uuid; END IF;
    IF TG_OP <> 'INSERT' THEN ids := ids || (to_jsonb(OLD) ->> via)::uuid; END IF;
    IF via = 'business_id' THEN
        targets := ids;
    ELSIF via = 'staff_id' THEN
        targets := ARRAY(SELECT business_id FROM businesses_staffmember WHERE id = ANY(ids));
    ELSIF via = 'service_id' THEN
        targets := ARRAY(SELECT business_id FROM businesses_service WHERE id = ANY(ids));
    ELSIF via = 'resource_id' THEN
        targets := ARRAY(SELECT business_id FROM businesses_resource WHERE id = ANY(ids));
    END IF;
    targets := ARRAY(SELECT DISTINCT t FROM unnest(targets) AS t WHERE t IS NOT NULL
                      AND position(t::text IN bumped) = 0 ORDER BY t);
    IF cardinality(targets) = 0 THEN
        RETURN NULL;
    END IF;
    UPDATE businesses_business SET availability_version = availability_version + 1 WHERE id = ANY(targets);
    PERFORM set_config('chairtime.availability_bumped', bumped || array_to_string(targets, ',') || ',', true);
    RETURN NULL;
END $$;

-- Any other change of the business row bumps its version; a save that writes back an older
-- version (Django's save() writes every column) never moves it backwards.
CREATE FUNCTION chairtime_business_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (to_jsonb(NEW) - 'availability_version') IS DISTINCT FROM (to_jsonb(OLD) - 'availability_version') THEN
        NEW.availability_version := greatest(NEW.availability_version, OLD.availability_version) + 1;
    ELSE
        NEW.availability_version := greatest(NEW.availability_version, OLD.availability_version);
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER chairtime_business_changed BEFORE UPDATE ON businesses_business
    FOR EACH ROW EXECUTE FUNCTION chairtime_business_changed();
"""

TRIGGERS = "\n".join(
    f"CREATE CONSTRAINT TRIGGER chairtime_availability AFTER INSERT OR UPDATE OR DELETE ON {table} "
    f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION chairtime_bump_availability('{via}', '{unread}');"
    for table, (via, unread) in WATCHED.items()
)

DROP = "\n".join(f"DROP TRIGGER IF EXISTS chairtime_availability ON {table};" for table in WATCHED) + """
DROP TRIGGER IF EXISTS chairtime_business_changed ON businesses_business;
DROP FUNCTION IF EXISTS chairtime_bump_availability();
DROP FUNCTION IF EXISTS chairtime_business_changed();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0006_visits"),
        ("businesses", "0007_availability_version"),
    ]

    operations = [migrations.RunSQL(FUNCTIONS + TRIGGERS, reverse_sql=DROP)]
