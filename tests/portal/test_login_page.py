"""/customer/login with the Django test client (the browser test is in test_login_browser.py)."""

import re

import pytest
from django.core import mail

from customers.models import CustomerAccount

pytestmark = pytest.mark.django_db


def code() -> str:
    return re.search(r"\b(\d{8})\b", mail.outbox[-1].body).group(1)


def test_a_new_customer_signs_in_names_themselves_and_lands_on_next(client):
    page = client.get("/customer/login?next=/customer/portal%3Fbusiness%3Dabc")
    assert page.status_code == 200 and 'name="contact"' in page.content.decode()
    step2 = client.post(
        "/customer/login/", {"action": "start", "contact": "Nia@Example.com", "next": "/customer/portal"}
    )
    assert "Enter your code" in step2.content.decode()
    session_key_before = client.session.session_key
    step3 = client.post("/customer/login", {"action": "verify", "code": code()})
    assert "What is your name?" in step3.content.decode()
    assert client.session.session_key != session_key_before  # rotated on sign-in
    done = client.post("/customer/login", {"action": "name", "first_name": "Nia", "last_name": "Park"})
    assert done.status_code == 302 and done["Location"] == "/customer/portal"
    assert CustomerAccount.objects.get(email="nia@example.com").first_name == "Nia"


def test_a_returning_customer_goes_straight_to_next(client, dana):
    client.post("/customer/login", {"action": "start", "contact": "dana@example.com", "next": "/customer/account"})
    response = client.post("/customer/login", {"action": "verify", "code": code()})
    assert response.status_code == 302 and response["Location"] == "/customer/account"


def test_next_must_be_on_this_site(client, dana):
    client.post("/customer/login", {"action": "start", "contact": "dana@example.com", "next": "https://evil.example/"})
    response = client.post("/customer/login", {"action": "verify", "code": code()})
    assert response["Location"] == "/customer/portal"


def test_a_wrong_code_shows_the_error_and_keeps_the_step(client, dana):
    client.post("/customer/login", {"action": "start", "contact": "dana@example.com"})
    wrong = "000000" if code() != "000000" else "111111"
    response = client.post("/customer/login", {"action": "verify", "code": wrong})
    assert response.status_code == 400
    html = response.content.decode()
    assert "That code is not right" in html and 'name="code"' in html


def test_a_bad_contact_is_shown_not_a_500(client):
    response = client.post("/customer/login", {"action": "start", "contact": "12"})
    assert response.status_code == 400
    assert "valid phone number" in response.content.decode()


def test_csrf_is_required(dana):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/customer/login", {"action": "start", "contact": "dana@example.com"}).status_code == 403


def test_the_portal_sends_signed_out_visitors_to_login(client):
    response = client.get("/customer/portal")
    assert response.status_code == 302 and response["Location"].startswith("/customer/login")


def test_signed_in_customers_see_their_salons(client, dana, salon, other_salon):
    from customers.models import CustomerBusinessRelationship

    CustomerBusinessRelationship.objects.create(customer=dana, business=salon)
    client.post("/customer/login", {"action": "start", "contact": "dana@example.com"})
    client.post("/customer/login", {"action": "verify", "code": code()})
    html = client.get("/customer/portal").content.decode()
    assert "Salon Alpha" in html and "Salon Beta" not in html


def test_sign_out(client, dana):
    client.post("/customer/login", {"action": "start", "contact": "dana@example.com"})
    client.post("/customer/login", {"action": "verify", "code": code()})
    client.post("/customer/logout")
    assert client.get("/customer/portal").status_code == 302
