"""Widget pages: who may frame them, whom they talk to, and the embed script."""

import json
import re

import pytest

from config.middleware import BASE_POLICY
from widget.framing import frame_ancestors, is_allowed_origin, origin_of

pytestmark = pytest.mark.django_db


def config_of(response) -> dict:
    match = re.search(r'<script id="widget-config" type="application/json">(.*?)</script>', response.content.decode())
    return json.loads(match.group(1))


@pytest.mark.parametrize("slash", ["", "/"])
def test_the_widget_may_be_framed_by_https_sites_when_the_list_is_empty(client, salon, slash):
    response = client.get(f"/widget/{salon.pk}{slash}?origin=https://salon.example")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert response["Content-Security-Policy"] == f"{BASE_POLICY}; frame-ancestors 'self' http://127.0.0.1:8000 https:"
    assert config_of(response)["parentOrigin"] == "https://salon.example"


def test_a_non_empty_list_names_exactly_who_may_frame(client, salon):
    salon.embed_allowed_origins = ["https://salon.example", "http://localhost:8001"]
    salon.save()
    response = client.get(f"/widget/{salon.pk}?origin=https://evil.example")
    assert response["Content-Security-Policy"] == (
        f"{BASE_POLICY}; frame-ancestors 'self' http://127.0.0.1:8000 https://salon.example http://localhost:8001"
    )
    assert config_of(response)["parentOrigin"] == ""  # no messages to a page that is not allowed
    allowed = client.get(f"/widget/{salon.pk}?origin=http://localhost:8001")
    assert config_of(allowed)["parentOrigin"] == "http://localhost:8001"


def test_every_other_page_refuses_framing(client, salon):
    for path in (f"/customer/portal?business={salon.pk}", "/customer/login", f"/api/business/{salon.pk}/hours"):
        response = client.get(path)
        assert response["X-Frame-Options"] == "DENY", path
        assert response["Content-Security-Policy"] == f"{BASE_POLICY}; frame-ancestors 'none'", path


@pytest.mark.parametrize("business_id", ["00000000-0000-0000-0000-000000000000", "nope"])
def test_an_unknown_business_is_a_404_inside_the_widget_layout(client, business_id):
    response = client.get(f"/widget/{business_id}")
    assert response.status_code == 404
    assert 'class="widget"' in response.content.decode()
    assert "X-Frame-Options" not in response  # so the host page shows the message, not a blank frame


def test_preselection_and_language_reach_the_page(client, salon, services, staff):
    response = client.get(f"/widget/{salon.pk}?service={services[0].pk}&staff={staff[0].pk}&lang=fr")
    config = config_of(response)
    assert (config["service"], config["staff"]) == (str(services[0].pk), str(staff[0].pk))
    assert '<html lang="fr">' in response.content.decode()
    assert f"/customer/book-appointment?business={salon.pk}" in response.content.decode()  # the fallback link


@pytest.mark.parametrize(
    ("origin", "allowed_list", "expected"),
    [
        ("https://salon.example", [], True),
        ("http://salon.example", [], False),
        ("http://127.0.0.1:8000", [], True),  # the app's own
        ("https://salon.example", ["https://other.example"], False),
        ("https://other.example", ["https://other.example"], True),
        (None, [], False),
    ],
)
def test_allowed_origin_rules(salon, origin, allowed_list, expected):
    salon.embed_allowed_origins = allowed_list
    assert is_allowed_origin(salon, origin) is expected


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Salon.Example/page?x=1", "https://salon.example"),
        ("http://localhost:8001", "http://localhost:8001"),
        ("javascript:alert(1)", None),
        ("https://user@evil.example", None),
        ("null", None),
    ],
)
def test_origin_of(url, origin):
    assert origin_of(url) == origin


def test_frame_ancestors_without_a_business():
    assert frame_ancestors(None) == "frame-ancestors 'self' http://127.0.0.1:8000 https:"


@pytest.mark.parametrize("path", ["/widget-embed.js", "/embed-widget.js", "/widget-embed.js/"])
def test_the_embed_script_is_served_under_both_names(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "max-age" in response["Cache-Control"] and response["ETag"]
    body = response.content.decode()
    assert "window.BookingWidget" in body and "loadWidget" in body
    assert len(body.encode()) < 8 * 1024
    again = client.get(path, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_the_admin_shows_the_snippet_and_validates_origins(client, alice, salon):
    client.force_login(alice)
    page = client.get(f"/admin/businesses/business/{salon.pk}/change/").content.decode()
    assert "widget-embed.js" in page and f"BookingWidget.loadWidget(&quot;{salon.pk}&quot;" in page
    from django.core.exceptions import ValidationError

    salon.embed_allowed_origins = ["https://salon.example/path"]
    with pytest.raises(ValidationError):
        salon.full_clean()
