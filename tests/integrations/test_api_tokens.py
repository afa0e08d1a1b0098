"""Owners make, name, list and revoke API tokens for their salon in the admin."""

import re

import pytest
from rest_framework.test import APIClient

from integrations.models import ApiToken

pytestmark = pytest.mark.django_db


def make_token(client, salon, name="CRM sync") -> str:
    response = client.post("/admin/integrations/apitoken/add/", {"business": salon.pk, "name": name}, follow=True)
    assert response.status_code == 200
    [key] = re.findall(r"<code>([0-9a-f]{64})</code>", response.content.decode())
    return key


def test_an_owner_makes_a_token_that_works_and_revokes_it(client, alice, salon):
    client.force_login(alice)
    key = make_token(client, salon)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(f"/api/business/{salon.pk}/settings").status_code == 200

    listing = client.get("/admin/integrations/apitoken/").content.decode()
    assert "CRM sync" in listing and key[:8] in listing and key not in listing  # shown once, then only its start
    named = ApiToken.objects.get()
    assert named.token.user == alice
    response = client.post(
        "/admin/integrations/apitoken/", {"action": "revoke", "_selected_action": [named.pk]}, follow=True
    )
    assert "1 token revoked." in response.content.decode()
    assert api.get(f"/api/business/{salon.pk}/settings").status_code == 401
    assert not ApiToken.objects.exists()


def test_staff_and_other_owners_do_not_see_the_salons_tokens(client, alice, bob, charlie, salon, other_salon):
    client.force_login(alice)
    make_token(client, salon, name="Alpha booking app")
    client.force_login(bob)
    assert client.get("/admin/integrations/apitoken/").status_code == 403
    client.force_login(charlie)
    assert "Alpha booking app" not in client.get("/admin/integrations/apitoken/").content.decode()
    # Nor can they make one for our salon: it is not among their choices.
    response = client.post("/admin/integrations/apitoken/add/", {"business": salon.pk, "name": "Sneaky"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert ApiToken.objects.count() == 1
