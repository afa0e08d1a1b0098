"""Salon staff see and edit only their own salons in the admin; superusers see everything."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from booking.models import Appointment
from businesses.models import Resource, Service, StaffMember, TimeOff
from customers.models import CustomerBusinessRelationship
from tests.factories import make_appointment

START = datetime(2030, 3, 4, 10, tzinfo=UTC)


@pytest.fixture
def beta_objects(other_salon, dana):
    """What Charlie's salon has: a staff member, a service, time off, an appointment."""
    member = other_salon.staff.get()
    service = other_salon.services.get()
    time_off = TimeOff.objects.create(business=other_salon, staff=member, start=START, end=START.replace(hour=12))
    appointment = make_appointment(staff=member, service=service, customer=dana, start=START)
    CustomerBusinessRelationship.objects.create(customer=dana, business=other_salon, notes="Beta's secret note")
    basin = Resource.objects.create(business=other_salon, name="Beta basin", kind="basin")
    return {
        "business": other_salon,
        "staffmember": member,
        "service": service,
        "timeoff": time_off,
        "appointment": appointment,
        "resource": basin,
    }


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def changelist_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", [Appointment, StaffMember, Service, TimeOff, Resource])
def test_staff_lists_show_only_their_salon(client, alice, services, staff, beta_objects, dana, model):
    make_appointment(staff=staff[0], service=services[0], customer=dana, start=START)
    TimeOff.objects.create(business=staff[0].business, staff=staff[0], start=START, end=START.replace(hour=12))
    Resource.objects.create(business=staff[0].business, name="Alpha basin", kind="basin")
    client.force_login(alice)
    response = client.get(changelist_url(model))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Salon Beta" not in html and "Zed" not in html and "Beta cut" not in html and "Beta basin" not in html
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize("name", ["business", "staffmember", "service", "timeoff", "appointment", "resource"])
def test_a_foreign_object_url_shows_nothing_of_it(client, alice, services, beta_objects, name):
    client.force_login(alice)
    response = client.get(change_url(beta_objects[name]))
    html = response.content.decode()
    assert response.status_code == 404
    assert "Zed" not in html and "Beta cut" not in html and "Salon Beta" not in html


def test_business_list_shows_only_member_salons(client, alice, beta_objects):
    client.force_login(alice)
    response = client.get(changelist_url(beta_objects["business"].__class__))
    assert [b.name for b in response.context["cl"].result_list] == ["Salon Alpha"]


def test_relationship_notes_of_another_salon_stay_hidden(client, bob, beta_objects, salon, dana):
    CustomerBusinessRelationship.objects.create(customer=dana, business=salon, notes="Alpha note")
    client.force_login(bob)
    html = client.get(changelist_url(CustomerBusinessRelationship)).content.decode()
    assert "Salon Alpha" in html and "Salon Beta" not in html
    foreign = CustomerBusinessRelationship.objects.get(business=beta_objects["business"])
    assert "secret note" not in client.get(change_url(foreign), follow=True).content.decode()


def test_foreign_key_choices_are_scoped(client, alice, services, staff, beta_objects):
    client.force_login(alice)
    response = client.get(reverse("admin:businesses_timeoff_add"))
    form = response.context["adminform"].form
    assert set(form.fields["business"].queryset) == {services[0].business}
    assert set(form.fields["staff"].queryset) == set(staff)
    staff_form = client.get(reverse("admin:businesses_staffmember_add")).context["adminform"].form
    assert set(staff_form.fields["services"].queryset) == set(services)


def test_picking_a_foreign_staff_member_is_refused(client, alice, salon, beta_objects):
    client.force_login(alice)
    response = client.post(
        reverse("admin:businesses_timeoff_add"),
        {
            "business": salon.pk,
            "staff": beta_objects["staffmember"].pk,
            "start_0": "2030-03-05",
            "start_1": "09:00",
            "end_0": "2030-03-05",
            "end_1": "12:00",
        },
    )
    assert response.status_code == 200  # the form again, with an error
    assert "Select a valid choice" in response.content.decode()
    assert not TimeOff.objects.filter(business=salon).exists()


def test_owner_edits_services_but_staff_role_only_looks(client, alice, bob, services):
    cut = services[0]
    client.force_login(bob)
    response = client.get(change_url(cut))
    assert response.status_code == 200
    assert 'name="name"' not in response.content.decode()  # read-only for the staff role
    assert client.get(reverse("admin:businesses_service_add")).status_code == 403

    client.force_login(alice)
    response = client.get(change_url(cut))
    assert 'name="name"' in response.content.decode()


def test_staff_role_reaches_appointments(client, bob, staff, services, dana):
    appointment = make_appointment(staff=staff[0], service=services[0], customer=dana, start=START)
    client.force_login(bob)
    response = client.get(change_url(appointment))
    assert response.status_code == 200
    assert 'name="notes"' in response.content.decode()


def test_linked_staff_member_user_is_a_member(client, staff, services, beta_objects):
    from tests.factories import UserFactory

    user = UserFactory(email="ana@alpha.example", is_staff=True)
    staff[0].user = user
    staff[0].save()
    client.force_login(user)
    response = client.get(changelist_url(Service))
    assert response.status_code == 200
    assert {s.name for s in response.context["cl"].result_list} == {"Cut", "Colour", "Consultation"}


def test_superuser_sees_every_salon(client, superuser, salon, beta_objects):
    client.force_login(superuser)
    response = client.get(changelist_url(beta_objects["business"].__class__))
    assert {b.name for b in response.context["cl"].result_list} == {"Salon Alpha", "Salon Beta"}
    assert client.get(change_url(beta_objects["appointment"])).status_code == 200


def test_outsiders_with_admin_access_see_no_salon_objects(client, beta_objects):
    from tests.factories import UserFactory

    stranger = UserFactory(email="stranger@example.com", is_staff=True)
    client.force_login(stranger)
    assert client.get(changelist_url(Appointment)).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert "Appointments" not in index
