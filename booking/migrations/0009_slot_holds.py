"""Slot holds (DESIGN §12), and Business.holds_until left out of the version's trigger: a
hold changes no cached answer (availability past holds_until is computed with the holds)."""

import booking.models
import django.contrib.postgres.constraints
import django.db.models.deletion
import uuid
from django.db import migrations, models


def business_changed(ignored: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION chairtime_business_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (to_jsonb(NEW) - {ignored}) IS DISTINCT FROM (to_jsonb(OLD) - {ignored}) THEN
        NEW.availability_version := greatest(NEW.availability_version, OLD.availability_version) + 1;
    ELSE
        NEW.availability_version := greatest(NEW.availability_version, OLD.availability_version);
    END IF;
    RETURN NEW;
END $$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0008_lock_booking_function'),
        ('businesses', '0009_hold_minutes'),
        ('customers', '0006_client_verbose_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='SlotHold',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('token_hash', models.CharField(db_index=True, max_length=64)),
                ('start', models.DateTimeField()),
                ('end', models.DateTimeField()),
                ('staff_busy', booking.models.DateTimeMultirangeField()),
                ('expires_at', models.DateTimeField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('business', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='slot_holds', to='businesses.business')),
                ('customer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='slot_holds', to='customers.customeraccount')),
                ('service', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='businesses.service')),
                ('staff', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='slot_holds', to='businesses.staffmember')),
            ],
            options={
                'ordering': ['start'],
                'indexes': [models.Index(fields=['business', 'expires_at'], name='slothold_business_expiry')],
                'constraints': [django.contrib.postgres.constraints.ExclusionConstraint(expressions=[('staff', '='), ('staff_busy', '&&')], name='slothold_no_overlap_per_staff', violation_error_message='This time is already held for someone.'), models.CheckConstraint(condition=models.Q(('end__gt', models.F('start'))), name='slothold_end_after_start')],
            },
        ),
        migrations.RunSQL(
            business_changed("ARRAY['availability_version', 'holds_until']"),
            reverse_sql=business_changed("'availability_version'"),
        ),
    ]
