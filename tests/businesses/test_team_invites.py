"""Owners build their team without a superuser: invite by e-mail (a new person chooses a
password from the invitation), and set roles; the last owner stays."""

import re

import pytest
from django.core import mail

from businesses.models import BusinessMembership
from customers.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite(client, django_capture_on_commit_callbacks):
    """Post the invite form; the invitation goes out once the team change commits."""

    def post(salon, email, role="staff"):
        with django_capture_on_commit_callbacks(execute=True):
            url = f"/admin/businesses/business/{salon.pk}/invite/"
            return client.post(url, {"email": email, "role": role}, follow=True)

    return post


def test_an_owner_invites_a_new_person_who_chooses_a_password_and_signs_in(client, invite, alice, salon):
    client.force_login(alice)
    response = invite(salon, "Gina@Example.com")
    assert "Invited gina@example.com: on the team now" in response.content.decode()
    gina = User.objects.get(email="gina@example.com")
    assert gina.is_staff and not gina.has_usable_password()
    assert BusinessMembership.objects.get(user=gina, business=salon).role == "staff"
    [message] = mail.outbox
    assert message.to == ["gina@example.com"] and salon.name in message.subject
    link = re.search(r"http://127.0.0.1:8000(/admin/password/\S+)", message.body).group(1)

    visitor = client.__class__()
    page = visitor.get(link, follow=True)  # Django swaps the token into the session, then shows the form
    assert page.status_code == 200 and b"new_password1" in page.content
    done = visitor.post(
        page.redirect_chain[-1][0],
        {"new_password1": "a-long-Passw0rd!", "new_password2": "a-long-Passw0rd!"},
        follow=True,
    )
    assert done.status_code == 200
    gina.refresh_from_db()
    assert gina.check_password("a-long-Passw0rd!")
    signed_in = visitor.post(
        "/admin/login/?next=/admin/", {"username": "gina@example.com", "password": "a-long-Passw0rd!"}, follow=True
    )
    assert signed_in.redirect_chain[-1][0] == "/admin/"
    assert salon.name in signed_in.content.decode()


def test_inviting_an_existing_user_adds_them_and_twice_is_refused(client, invite, alice, salon):
    known = UserFactory(email="hal@example.com", password="hals-own-Passw0rd")
    client.force_login(alice)
    invite(salon, "hal@example.com", role="owner")
    assert BusinessMembership.objects.get(user=known, business=salon).role == "owner"
    assert "Choose your password" not in mail.outbox[0].body  # they have one already
    assert "Sign in with hal@example.com and your password" in mail.outbox[0].body
    again = invite(salon, "hal@example.com")
    assert "hal@example.com is already on the team." in again.content.decode()
    assert BusinessMembership.objects.filter(user=known, business=salon).count() == 1
    bad = invite(salon, "not an email")
    assert "Enter a valid email address." in bad.content.decode()


def test_staff_and_other_owners_cannot_invite(client, invite, bob, charlie, salon):
    client.force_login(bob)
    assert invite(salon, "x@example.com").status_code == 403
    client.force_login(charlie)
    assert invite(salon, "x@example.com").status_code == 404
    assert not User.objects.filter(email="x@example.com").exists()


def test_an_owner_sets_roles_but_keeps_an_owner(client, alice, bob, salon):
    client.force_login(alice)
    page = client.get(f"/admin/businesses/business/{salon.pk}/change/")
    formset = next(f for f in page.context["inline_admin_formsets"] if f.formset.prefix == "memberships").formset
    form = page.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name != "logo" and not isinstance(value, (list, dict))
    }
    data.update(
        {"name": salon.name, "slug": salon.slug, "opening_hours-TOTAL_FORMS": "0", "opening_hours-INITIAL_FORMS": "0"}
    )
    data.update({f"memberships-{key}": value for key, value in formset.management_form.initial.items()})
    for n, member_form in enumerate(formset.forms):
        membership = member_form.instance
        data.update({f"memberships-{n}-id": membership.pk, f"memberships-{n}-business": salon.pk})
        data[f"memberships-{n}-role"] = "owner"  # Bob too

    promoted = client.post(f"/admin/businesses/business/{salon.pk}/change/", data)
    assert promoted.status_code == 302, promoted.context and promoted.context["errors"]
    assert BusinessMembership.objects.get(user=bob, business=salon).role == "owner"

    for n in range(len(formset.forms)):
        data[f"memberships-{n}-role"] = "staff"
    refused = client.post(f"/admin/businesses/business/{salon.pk}/change/", data)
    assert refused.status_code == 200
    assert "Keep at least one owner" in refused.content.decode()
    assert BusinessMembership.objects.filter(business=salon, role="owner").count() == 2
