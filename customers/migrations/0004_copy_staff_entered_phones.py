"""Numbers staff typed before the salon kept its own copy: accounts that staff created (no
user yet) hold an unverified number; copy it onto their salons' relationships, so those
salons keep texting their own appointments' messages to it."""

from django.db import migrations


def copy_phones(apps, schema_editor):
    CustomerAccount = apps.get_model("customers", "CustomerAccount")
    Relationship = apps.get_model("customers", "CustomerBusinessRelationship")
    staff_created = CustomerAccount.objects.filter(user__isnull=True, phone_verified=False).exclude(phone="")
    for account in staff_created.iterator():
        Relationship.objects.filter(customer=account, phone="").update(phone=account.phone)


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_staff_entered_contact")]

    operations = [migrations.RunPython(copy_phones, migrations.RunPython.noop)]
