"""A client's confirmation by SMS reply (issue 20), kept out of the availability version."""

from django.db import migrations, models


UNREAD = "{customer_id,notes,cancel_reason,price,source,sequence,created_by_id,updated_at,visit_id%s}"


def appointment_trigger(unread: str) -> str:
    """The availability trigger of booking_appointment (migration 0007) with these columns unread."""
    return (
        "DROP TRIGGER IF EXISTS chairtime_availability ON booking_appointment;"
        " CREATE CONSTRAINT TRIGGER chairtime_availability AFTER INSERT OR UPDATE OR DELETE ON booking_appointment"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
        f" EXECUTE FUNCTION chairtime_bump_availability('business_id', '{unread}');"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0010_waitlist'),
    ]

    operations = [
        migrations.AddField(
            model_name='appointment',
            name='client_confirmed_at',
            field=models.DateTimeField(blank=True, help_text='When the client confirmed they are coming (an SMS reply).', null=True),
        ),
        migrations.AlterField(
            model_name='appointmenthistory',
            name='action',
            field=models.CharField(choices=[('created', 'Created'), ('rescheduled', 'Rescheduled'), ('arrived', 'Checked in'), ('cancelled', 'Cancelled'), ('completed', 'Completed'), ('no_show', 'Marked no-show'), ('updated', 'Updated'), ('confirmed', 'Confirmed by the client')], max_length=12),
        ),
        # A client's confirmation changes nothing that can be booked: it keeps the cache.
        migrations.RunSQL(
            appointment_trigger(UNREAD % ",client_confirmed_at"), reverse_sql=appointment_trigger(UNREAD % "")
        ),
    ]
