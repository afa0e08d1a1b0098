"""The salon's side in its staff's language (issue 21): Django's admin brings its own
translations; ours label the fields, help texts and models we added to it."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_german_owner_reads_the_salons_settings_in_german(client, alice, salon):
    client.force_login(alice)
    page = client.get(f"/admin/businesses/business/{salon.pk}/change/", headers={"accept-language": "de"})
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="de"' in html
    assert "Zeitraster (Minuten)" in html  # slot interval minutes
    assert "Slot interval minutes" not in html
    assert "Salon ändern" in html  # Django's "Change %(model)s" with our model's name


def test_the_same_page_in_english_is_unchanged(client, alice, salon):
    client.force_login(alice)
    html = client.get(f"/admin/businesses/business/{salon.pk}/change/").content.decode()
    assert "Slot interval minutes" in html and "Change business" in html
