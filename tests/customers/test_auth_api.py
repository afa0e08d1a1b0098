"""Passwordless sign-in over the API: verify-or-create by code, email or SMS."""

import re

import pytest
from django.core import mail
from knox.models import AuthToken

from customers.models import CustomerAccount, SignInChallenge

pytestmark = pytest.mark.django_db


def code_in(text: str) -> str:
    return re.search(r"\b(\d{8})\b", text).group(1)


def last_email_code() -> str:
    return code_in(mail.outbox[-1].body)


def sign_in(api_client, **body):
    response = api_client.post("/api/customer/auth/login", body, format="json")
    assert response.status_code == 202, response.content
    return response.json()


def verify(api_client, challenge: str, code: str):
    return api_client.post("/api/customer/auth/verify", {"challenge": challenge, "code": code}, format="json")


def test_register_verify_then_the_token_works(api_client, sms_outbox, django_capture_on_commit_callbacks):
    response = api_client.post(
        "/api/customer/auth/register/",
        {"email": "New.Person@Example.com", "phone": "+447911123456", "first_name": "Nia", "last_name": "Park"},
        format="json",
    )
    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"challenge", "channel", "expires_in"}
    assert body["channel"] == "email" and body["expires_in"] > 0
    assert mail.outbox[-1].to == ["new.person@example.com"]
    assert mail.outbox[-1].alternatives  # text and HTML parts

    with django_capture_on_commit_callbacks(execute=True):
        verified = verify(api_client, body["challenge"], last_email_code())
    assert verified.status_code == 200
    token, customer = verified.json()["token"], verified.json()["customer"]
    assert customer == {
        "id": customer["id"],
        "email": "new.person@example.com",
        "phone": "+447911123456",
        "first_name": "Nia",
        "last_name": "Park",
    }
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/customer/me")
    assert me.status_code == 200 and me.json() == customer
    # The phone given at sign-up gets a verification code by SMS.
    assert sms_outbox.messages() and "+447911123456" in sms_outbox.messages()[-1]


def test_login_with_an_unknown_email_creates_the_account_on_verify(api_client):
    body = sign_in(api_client, email="fresh@example.com")
    assert not CustomerAccount.objects.filter(email="fresh@example.com").exists()
    assert verify(api_client, body["challenge"], last_email_code()).status_code == 200
    account = CustomerAccount.objects.get(email="fresh@example.com")
    assert account.user.email == "fresh@example.com"
    assert account.user.emailaddress_set.get().verified


def test_returning_customer_signs_in_by_email_to_the_same_account(api_client):
    first = sign_in(api_client, email="dana@example.com")
    first_id = verify(api_client, first["challenge"], last_email_code()).json()["customer"]["id"]
    second = sign_in(api_client, email="DANA@example.com")
    assert verify(api_client, second["challenge"], last_email_code()).json()["customer"]["id"] == first_id
    assert CustomerAccount.objects.count() == 1


def test_signing_in_claims_the_account_staff_created(api_client, dana):
    assert dana.user is None
    body = sign_in(api_client, email="dana@example.com", first_name="Other")
    customer = verify(api_client, body["challenge"], last_email_code()).json()["customer"]
    assert customer["id"] == str(dana.pk)
    assert customer["first_name"] == "Dana"  # what staff recorded is kept
    dana.refresh_from_db()
    assert dana.user is not None


def test_login_by_a_verified_phone_sends_a_code_by_sms(api_client, dana, sms_outbox):
    from tests.factories import UserFactory

    dana.user = UserFactory(email="dana@example.com")
    dana.phone, dana.phone_verified = "+447911123456", True
    dana.save()
    body = sign_in(api_client, phone="+44 7911 123456")
    assert body["channel"] == "sms"
    customer = verify(api_client, body["challenge"], code_in(sms_outbox.messages()[-1])).json()["customer"]
    assert customer["id"] == str(dana.pk)


def test_an_unknown_phone_is_never_texted_and_can_never_verify(api_client, dana, sms_outbox):
    dana.phone, dana.phone_verified = "+447911123456", False  # unverified: does not count
    dana.save()
    body = sign_in(api_client, phone="+447911123456")
    assert body["channel"] == "sms"  # the same answer as for a known number
    assert sms_outbox.messages() == []  # but nobody's phone is texted on a stranger's say-so
    challenge = SignInChallenge.objects.get(key=body["challenge"])
    from customers.services import code_hash

    # Even the right code (if one could guess it) does not verify such a challenge.
    challenge.code_hash = code_hash(challenge.key, "123456")
    challenge.save()
    response = verify(api_client, body["challenge"], "123456")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_code"


def test_the_202_answer_is_the_same_for_known_and_unknown_people(api_client, dana):
    known = sign_in(api_client, email="dana@example.com")
    unknown = sign_in(api_client, email="nobody@example.com")
    assert set(known) == set(unknown)
    assert known["channel"] == unknown["channel"] and known["expires_in"] == unknown["expires_in"]


def test_a_wrong_code_is_invalid_and_the_challenge_dies_after_five(api_client):
    body = sign_in(api_client, email="dana@example.com")
    code = last_email_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = verify(api_client, body["challenge"], wrong)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_code"
    response = verify(api_client, body["challenge"], code)
    assert response.json()["error"]["code"] == "code_expired"


def test_a_code_works_once(api_client):
    body = sign_in(api_client, email="dana@example.com")
    code = last_email_code()
    assert verify(api_client, body["challenge"], code).status_code == 200
    again = verify(api_client, body["challenge"], code)
    assert again.status_code == 400 and again.json()["error"]["code"] == "code_expired"


def test_an_expired_code_is_refused(api_client, time_machine):
    time_machine.move_to("2030-01-01 12:00Z")
    body = sign_in(api_client, email="dana@example.com")
    code = last_email_code()
    time_machine.move_to("2030-01-01 12:11Z")
    response = verify(api_client, body["challenge"], code)
    assert response.status_code == 400 and response.json()["error"]["code"] == "code_expired"


def test_asking_for_codes_too_often_is_throttled(api_client):
    for _ in range(3):
        sign_in(api_client, email="dana@example.com")
    response = api_client.post("/api/customer/auth/login", {"email": "dana@example.com"}, format="json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"


@pytest.mark.parametrize(
    "body",
    [{}, {"email": "not-an-email"}, {"phone": "12"}, {"email": ["a@b.c"]}, {"first_name": "x"}],
)
def test_bad_sign_in_requests_are_validation_errors(api_client, body):
    response = api_client.post("/api/customer/auth/login", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_register_needs_an_email(api_client):
    response = api_client.post("/api/customer/auth/register", {"phone": "+447911123456"}, format="json")
    assert response.status_code == 400 and "email" in response.json()["error"]["fields"]


def test_logout_revokes_only_that_token(api_client):
    tokens = []
    for _ in range(2):
        body = sign_in(api_client, email="dana@example.com")
        tokens.append(verify(api_client, body["challenge"], last_email_code()).json()["token"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
    assert api_client.post("/api/customer/auth/logout").status_code == 204
    assert api_client.get("/api/customer/me").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[1]}")
    assert api_client.get("/api/customer/me").status_code == 200
    assert AuthToken.objects.count() == 1


def test_me_and_logout_need_a_token(api_client):
    assert api_client.get("/api/customer/me").status_code == 401
    response = api_client.post("/api/customer/auth/logout")
    assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"


def test_the_phone_is_confirmed_with_the_sms_code(api_client, sms_outbox, django_capture_on_commit_callbacks):
    body = api_client.post(
        "/api/customer/auth/register", {"email": "nia@example.com", "phone": "+447911123456"}, format="json"
    ).json()
    with django_capture_on_commit_callbacks(execute=True):
        token = verify(api_client, body["challenge"], last_email_code()).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    wrong = api_client.post("/api/customer/phone/verify", {"code": "000000"}, format="json")
    assert wrong.status_code == 400
    sms_code = code_in(sms_outbox.messages()[-1])
    assert api_client.post("/api/customer/phone/verify", {"code": sms_code}, format="json").status_code == 200
    assert CustomerAccount.objects.get(email="nia@example.com").phone_verified
    # Now the phone signs in.
    api_client.credentials()
    assert sign_in(api_client, phone="+447911123456")["channel"] == "sms"
    assert (
        verify(
            api_client, SignInChallenge.objects.latest("created_at").key, code_in(sms_outbox.messages()[-1])
        ).status_code
        == 200
    )


def test_codes_are_stored_hashed(api_client):
    body = sign_in(api_client, email="dana@example.com")
    code = last_email_code()
    stored = SignInChallenge.objects.get(key=body["challenge"])
    assert code not in stored.code_hash
