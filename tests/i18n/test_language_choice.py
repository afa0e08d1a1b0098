"""Which language a response is in (DESIGN §5): explicit choice, the customer's saved language,
Accept-Language, the salon's default, English; and the language a new account keeps."""

import re

import pytest
from django.core import mail

from config.languages import from_accept_language, message_language, supported
from customers.models import CustomerAccount
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]*)"', response.content.decode()).group(1)


def sign_in(client, customer) -> None:
    customer.user = UserFactory(email=customer.email)
    customer.save()
    client.force_login(customer.user)


def salon_page(client, salon, query: str = "", **headers):
    return client.get(f"/customer/book-appointment?business={salon.pk}{query}", headers=headers)


@pytest.mark.parametrize(
    ("tag", "ours"),
    [("de", "de"), ("de-AT", "de"), ("pt_BR", "pt"), ("FR-ca", "fr"), ("it", None), ("", None), (None, None)],
)
def test_a_language_tag_is_one_of_ours_or_none(tag, ours):
    assert supported(tag) == ours


def test_accept_language_gives_the_first_language_we_have():
    assert from_accept_language("it-IT,it;q=0.9,nl;q=0.8,de;q=0.7") == "nl"
    assert from_accept_language("ja, *;q=0.5") is None
    assert from_accept_language("") is None


def test_the_salons_default_is_used_when_the_browser_asks_for_nothing_we_have(client, salon, services):
    salon.language = "pl"
    salon.save()
    response = salon_page(client, salon, accept_language="it-IT,ja;q=0.5")
    assert html_lang(response) == "pl"
    assert response["Content-Language"] == "pl"
    assert "Accept-Language" in response["Vary"]


def test_english_when_nobody_says_anything(client, salon, services):
    assert html_lang(salon_page(client, salon)) == "en"


def test_the_browsers_language_beats_the_salons_default(client, salon, services):
    salon.language = "pl"
    salon.save()
    assert html_lang(salon_page(client, salon, accept_language="es-ES,es;q=0.9")) == "es"


def test_a_signed_in_customers_saved_language_beats_the_browsers(client, salon, services, dana):
    dana.language = "fr"
    dana.save()
    sign_in(client, dana)
    assert html_lang(salon_page(client, salon, accept_language="es")) == "fr"


def test_an_explicit_choice_beats_everything(client, salon, services, dana):
    dana.language = "fr"
    dana.save()
    sign_in(client, dana)
    assert html_lang(salon_page(client, salon, "&lang=de", accept_language="es")) == "de"
    client.cookies.pop("django_language")  # which that link set
    assert html_lang(salon_page(client, salon, "&lang=xx", accept_language="es")) == "fr"  # not one of ours


def test_the_switch_keeps_the_choice_for_the_browser_and_for_a_signed_in_customers_account(client, salon, dana):
    page = f"/customer/book-appointment?business={salon.pk}"
    response = client.post("/customer/language", {"language": "nl", "next": page}, headers={"accept-language": "es"})
    assert response.status_code == 302 and response["Location"] == page
    assert html_lang(client.get(page, headers={"accept-language": "es"})) == "nl"  # the cookie, anonymous

    sign_in(client, dana)
    client.post("/customer/language", {"language": "pt", "next": page})
    dana.refresh_from_db()
    assert dana.language == "pt"
    assert html_lang(client.get(page)) == "pt"


def test_the_switch_refuses_a_language_we_do_not_have(client, salon, dana):
    sign_in(client, dana)
    client.post("/customer/language", {"language": "it", "next": "/"})
    dana.refresh_from_db()
    assert dana.language == ""


def test_a_new_account_keeps_the_language_it_signed_up_in(api_client):
    answer = api_client.post(
        "/api/customer/auth/login", {"email": "neu@example.de"}, format="json", headers={"accept-language": "de-DE"}
    ).json()
    code = re.search(r"\b(\d{8})\b", mail.outbox[-1].body).group(1)
    verified = api_client.post(
        "/api/customer/auth/verify",
        {"challenge": answer["challenge"], "code": code},
        format="json",
        headers={"accept-language": "de-DE"},
    )
    assert verified.status_code == 200, verified.content
    assert CustomerAccount.objects.get(email="neu@example.de").language == "de"


def test_a_returning_customer_keeps_their_saved_language(api_client, dana):
    dana.language = "fr"
    dana.save()
    answer = api_client.post("/api/customer/auth/login", {"email": dana.email}, format="json").json()
    code = re.search(r"\b(\d{8})\b", mail.outbox[-1].body).group(1)
    api_client.post(
        "/api/customer/auth/verify",
        {"challenge": answer["challenge"], "code": code},
        format="json",
        headers={"accept-language": "de"},
    )
    dana.refresh_from_db()
    assert dana.language == "fr"


def test_messages_go_in_the_customers_language_else_the_salons(salon, dana):
    salon.language = "nl"
    assert message_language(dana, salon) == "nl"
    dana.language = "pl"
    assert message_language(dana, salon) == "pl"
    assert message_language(None, None) == "en"


def test_members_of_a_salon_have_no_saved_language(client, salon, services):
    user = UserFactory(email="staff@example.com")
    client.force_login(user)
    assert html_lang(salon_page(client, salon, accept_language="de")) == "de"
    assert not CustomerAccount.objects.filter(user=user).exists()


def test_the_account_page_sets_the_saved_language_and_the_browsers_choice_with_it(client, salon, dana):
    sign_in(client, dana)
    client.post("/customer/language", {"language": "nl", "next": "/customer/account"})  # an earlier switch
    profile = {"action": "profile", "first_name": "Dana", "language": "de"}
    response = client.post("/customer/account", profile)
    dana.refresh_from_db()
    assert dana.language == "de" and html_lang(response) == "de"
    assert response.cookies["django_language"].value == "de"

    response = client.post("/customer/account", {**profile, "language": ""})  # "the salon's language"
    dana.refresh_from_db()
    assert dana.language == ""
    assert response.cookies["django_language"].value == ""  # the browser's choice is forgotten too
    assert (
        html_lang(client.get(f"/customer/book-appointment?business={salon.pk}", headers={"accept-language": "fr"}))
        == "fr"
    )


def test_a_link_naming_its_language_sets_it_for_the_pages_that_follow(client, salon, services):
    first = client.get(f"/customer/book-appointment?business={salon.pk}&lang=de", headers={"accept-language": "fr"})
    assert html_lang(first) == "de" and first.cookies["django_language"].value == "de"
    following = client.get(f"/customer/book-appointment?business={salon.pk}&service={services[0].pk}")
    assert html_lang(following) == "de"


def test_the_widget_frame_does_not_set_the_browsers_language(client, salon):
    response = client.get(f"/widget/{salon.pk}?lang=de")
    assert html_lang(response) == "de" and "django_language" not in response.cookies


def test_the_switch_outranks_the_language_in_the_address_it_returns_to(client, salon):
    page = f"/customer/book-appointment?business={salon.pk}&lang=de"
    response = client.post("/customer/language", {"language": "fr", "next": page})
    assert response["Location"] == f"/customer/book-appointment?business={salon.pk}"
    assert html_lang(client.get(response["Location"])) == "fr"
