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

# Each watched table, and how its rows name their business: directly, or through a staff
# member, service or resource.
WATCHED = {
    "booking_appointment": "business_id",
    "booking_resourcebooking": "resource_id",
    "businesses_openinghours": "business_id",
    "businesses_workinghours": "staff_id",
    "businesses_timeoff": "business_id",
    "businesses_service": "business_id",
    "businesses_staffmember_services": "service_id",
    "businesses_staffmember": "business_id",
    "businesses_resource": "business_id",
}

FUNCTIONS = """
CREATE FUNCTION chairtime_bump_availability() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    via text := TG_ARGV[0];
    ids uuid[] := '{}';
BEGIN
    IF TG_OP <> 'DELETE' THEN ids := ids || (to_jsonb(NEW) ->> via)::uuid; END IF;
    IF TG_OP <> 'INSERT' THEN ids := ids || (to_jsonb(OLD) ->> via)::uuid; END IF;
    IF via = 'business_id' THEN
        UPDATE businesses_business SET availability_version = availability_version + 1 WHERE id = ANY(ids);
    ELSIF via = 'staff_id' THEN
        UPDATE businesses_business SET availability_version = availability_version + 1
         WHERE id IN (SELECT business_id FROM businesses_staffmember WHERE id = ANY(ids));
    ELSIF via = 'service_id' THEN
        UPDATE businesses_business SET availability_version = availability_version + 1
         WHERE id IN (SELECT business_id FROM businesses_service WHERE id = ANY(ids));
    ELSIF via = 'resource_id' THEN
        UPDATE businesses_business SET availability_version = availability_version + 1
         WHERE id IN (SELECT business_id FROM businesses_resource WHERE id = ANY(ids));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION chairtime_business_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (to_jsonb(NEW) - 'availability_version') IS DISTINCT FROM (to_jsonb(OLD) - 'availability_version') THEN
        NEW.availability_version := OLD.availability_version + 1;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER chairtime_business_changed BEFORE UPDATE ON businesses_business
    FOR EACH ROW EXECUTE FUNCTION chairtime_business_changed();
"""

TRIGGERS = "\n".join(
    f"CREATE CONSTRAINT TRIGGER chairtime_availability AFTER INSERT OR UPDATE OR DELETE ON {table} "
    f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION chairtime_bump_availability('{via}');"
    for table, via in WATCHED.items()
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
