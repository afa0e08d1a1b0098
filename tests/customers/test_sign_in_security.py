"""Attacks on the customer sign-in, each as the audit (issue 22) described it."""

import logging
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from knox.models import AuthToken

from customers.credentials import CUSTOMER_ONLY_SESSION
from customers.models import CustomerAccount, SignInChallenge
from customers.services import MAX_FAILED_VERIFICATIONS_PER_HOUR, code_hash
from tests.factories import StaffMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(api_client, **body) -> str:
    response = api_client.post("/api/customer/auth/login", body, format="json")
    assert response.status_code == 202, response.content
    return response.json()["challenge"]


def verify(api_client, challenge: str, code: str):
    return api_client.post("/api/customer/auth/verify", {"challenge": challenge, "code": code}, format="json")


def with_known_code(challenge: str, code: str = "12345678") -> str:
    """Give a challenge a code we know, as if the attacker had read the mailbox."""
    row = SignInChallenge.objects.get(key=challenge)
    row.code_hash = code_hash(row.key, code)
    row.save(update_fields=["code_hash"])
    return code


def next_weekday_at_11():
    """A week ahead at 11:00 UTC, skipping Sunday (the test salon is closed then)."""
    start = (timezone.now() + timedelta(days=7)).replace(hour=11, minute=0, second=0, microsecond=0)
    return start + timedelta(days=1) if start.weekday() == 6 else start


@pytest.fixture
def linked_staff_user(salon):
    """A user linked to a StaffMember profile: no is_staff flag, but a member's API powers."""
    user = UserFactory(email="stylist@alpha.example")
    StaffMemberFactory(business=salon, name="Stylist", user=user)
    return user


@pytest.mark.parametrize("who", ["alice", "bob", "superuser", "linked_staff_user"])
def test_code_sign_in_never_authenticates_an_account_with_staff_access(api_client, request, who):
    user = request.getfixturevalue(who)
    challenge = sign_in(api_client, email=user.email.upper())
    # The address hears why not; no code goes out, so reading that mailbox opens nothing.
    assert "staff account" in mail.outbox[-1].body
    assert not re.search(r"\b\d{8}\b", mail.outbox[-1].body)
    response = verify(api_client, challenge, with_known_code(challenge))
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_code"
    assert not AuthToken.objects.filter(user=user).exists()


def test_the_answer_for_a_staff_address_is_the_same_as_for_anyone(api_client, alice, dana):
    staff_answer = api_client.post("/api/customer/auth/login", {"email": alice.email}, format="json")
    customer_answer = api_client.post("/api/customer/auth/login", {"email": dana.email}, format="json")
    assert staff_answer.status_code == customer_answer.status_code == 202
    assert {k: v for k, v in staff_answer.json().items() if k != "challenge"} == {
        k: v for k, v in customer_answer.json().items() if k != "challenge"
    }


def test_the_login_page_does_not_open_the_admin_for_an_owner(client, alice):
    client.post("/customer/login", {"action": "start", "contact": alice.email})
    challenge = client.session["chairtime_sign_in"]["challenge"]
    page = client.post("/customer/login", {"action": "verify", "code": with_known_code(challenge)})
    assert page.status_code == 400
    admin = client.get("/admin/")
    assert admin.status_code == 302 and "/admin/login/" in admin["Location"]


def test_a_customer_given_staff_rights_later_keeps_a_customer_only_session(client, salon, dana):
    client.post("/customer/login", {"action": "start", "contact": dana.email})
    challenge = client.session["chairtime_sign_in"]["challenge"]
    client.post("/customer/login", {"action": "verify", "code": with_known_code(challenge)})
    assert client.session[CUSTOMER_ONLY_SESSION] is True
    user = CustomerAccount.objects.get(pk=dana.pk).user
    user.is_staff = True
    user.save()
    admin = client.get("/admin/")
    assert admin.status_code == 302 and "/admin/login/" in admin["Location"]


def test_a_user_made_staff_between_code_and_verify_is_refused(api_client, dana, salon):
    challenge = sign_in(api_client, email=dana.email)
    code = with_known_code(challenge)
    user = UserFactory(email=dana.email, is_staff=True)
    response = verify(api_client, challenge, code)
    assert response.status_code == 400 and response.json()["error"]["code"] == "code_expired"
    assert not AuthToken.objects.filter(user=user).exists()


def test_a_staff_users_verified_phone_gets_no_sign_in_sms(api_client, alice, sms_outbox):
    CustomerAccount.objects.create(email=alice.email, user=alice, phone="+447911123456", phone_verified=True)
    challenge = sign_in(api_client, phone="+447911123456")
    assert sms_outbox.messages() == []
    response = verify(api_client, challenge, with_known_code(challenge))
    assert response.status_code == 400


def test_codes_are_at_least_as_strong_as_allauths_default(api_client):
    sign_in(api_client, email="dana@example.com")
    code = re.search(r"\b(\d+)\b", mail.outbox[-1].body).group(1)
    # allauth's default: six characters from an alphabet of twenty letters.
    assert 10 ** len(code) >= 20**6


def test_new_challenges_buy_no_more_guesses_at_one_address(api_client, time_machine, caplog):
    time_machine.move_to("2030-01-01 12:00Z", tick=False)
    failures = 0
    while failures < MAX_FAILED_VERIFICATIONS_PER_HOUR:
        challenge = sign_in(api_client, email="dana@example.com")
        for _ in range(min(5, MAX_FAILED_VERIFICATIONS_PER_HOUR - failures)):
            with caplog.at_level(logging.WARNING, logger="customers.services"):
                assert verify(api_client, challenge, "00000000").json()["error"]["code"] == "invalid_code"
            failures += 1
        time_machine.shift(61)  # past allauth's per-minute limit on asking for codes
    # The next challenge refuses even the right code for the rest of the hour.
    challenge = sign_in(api_client, email="dana@example.com")
    refused = verify(api_client, challenge, with_known_code(challenge))
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "throttled"
    # Another address is not affected.
    other = sign_in(api_client, email="erin@example.com")
    assert verify(api_client, other, with_known_code(other)).status_code == 200
    # An hour later the address may try again.
    time_machine.shift(3600)
    challenge = sign_in(api_client, email="dana@example.com")
    assert verify(api_client, challenge, with_known_code(challenge)).status_code == 200
    # Failed attempts are logged, with neither the code nor the whole address.
    logged = [record.getMessage() for record in caplog.records if "wrong" in record.getMessage()]
    assert len(logged) == MAX_FAILED_VERIFICATIONS_PER_HOUR
    assert all("d***@example.com" in line and "dana@" not in line and "00000000" not in line for line in logged)


def test_code_emails_to_one_address_are_capped_per_hour(api_client, time_machine):
    time_machine.move_to("2030-01-01 12:00Z", tick=False)
    sent = 0
    for _ in range(4):  # three a minute for four minutes: the hourly cap of ten bites
        for _ in range(3):
            status = api_client.post("/api/customer/auth/login", {"email": "dana@example.com"}, format="json")
            sent += status.status_code == 202
        time_machine.shift(61)
    assert sent == 10
    assert len(mail.outbox) == 10


def test_sign_in_by_an_unknown_number_texts_nobody(api_client, sms_outbox):
    for number in ("+447911123456", "+447911123457", "+33612345678"):
        assert sign_in(api_client, phone=number)
    assert sms_outbox.messages() == []


def test_the_sms_budget_stops_code_messages_and_says_so_in_the_log(api_client, settings, sms_outbox, caplog):
    settings.SMS_CODE_BUDGET_PER_HOUR = 2
    numbers = ["+447911000001", "+447911000002", "+447911000003"]
    for index, number in enumerate(numbers):
        user = UserFactory(email=f"texter{index}@example.com")
        CustomerAccount.objects.create(email=user.email, user=user, phone=number, phone_verified=True)
    with caplog.at_level(logging.ERROR, logger="customers.services"):
        challenges = [sign_in(api_client, phone=number) for number in numbers]
    assert len(sms_outbox.messages()) == 2
    assert any("SMS code budget exhausted" in record.getMessage() for record in caplog.records)
    assert verify(api_client, challenges[2], with_known_code(challenges[2])).status_code == 400
    assert not any(number in record.getMessage() for record in caplog.records for number in numbers)


def test_code_issued_credentials_stay_customer_only_when_the_user_becomes_staff(
    api_client, client, salon, staff, services
):
    from booking.services import Actor, appointment_book
    from businesses.models import BusinessMembership
    from tests.factories import CustomerFactory

    challenge = sign_in(api_client, email="dana@example.com")
    token = verify(api_client, challenge, with_known_code(challenge)).json()["token"]
    client.post("/customer/login", {"action": "start", "contact": "dana@example.com"})
    page_challenge = client.session["chairtime_sign_in"]["challenge"]
    client.post("/customer/login", {"action": "verify", "code": with_known_code(page_challenge)})
    someone_else = appointment_book(
        business=salon,
        service=services[0],
        staff=staff[0],
        start=next_weekday_at_11(),
        by=Actor.system(),
        customer=CustomerFactory(email="erin@example.com"),
    )
    BusinessMembership.objects.create(business=salon, user=CustomerAccount.objects.get(email="dana@example.com").user)

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get(f"/api/appointments/{someone_else.pk}").status_code == 404
    assert client.get(f"/api/appointments/{someone_else.pk}").status_code == 404
    body = {
        "business_id": str(salon.pk),
        "service_id": str(services[0].pk),
        "start": someone_else.start.isoformat(),
        "customer": {"email": "mallory@example.com"},
    }
    assert api_client.post("/api/appointments/create", body, format="json").status_code == 403


def test_a_phone_change_keeps_the_verified_number_until_the_new_one_is_confirmed(client, sms_outbox):
    user = UserFactory(email="dana@example.com")
    CustomerAccount.objects.create(email=user.email, user=user, phone="+447911123456", phone_verified=True)
    client.force_login(user)
    client.post("/customer/account", {"action": "phone_start", "phone": "+447911123457"})
    account = CustomerAccount.objects.get(user=user)
    assert (account.phone, account.phone_verified) == ("+447911123456", True)  # nothing lost yet
    code = re.search(r"\b(\d{8})\b", sms_outbox.messages()[-1]).group(1)
    client.post("/customer/account", {"action": "phone_verify", "code": code})
    account.refresh_from_db()
    assert (account.phone, account.phone_verified) == ("+447911123457", True)


def test_one_account_cannot_text_a_number_again_and_again(client, sms_outbox, time_machine):
    time_machine.move_to("2030-01-01 12:00Z", tick=False)
    user = UserFactory(email="dana@example.com")
    CustomerAccount.objects.create(email=user.email, user=user)
    client.force_login(user)
    statuses = []
    for _ in range(5):
        statuses.append(
            client.post("/customer/account", {"action": "phone_start", "phone": "+447911123457"}).status_code
        )
        time_machine.shift(31)  # past allauth's one-per-30-seconds limit
    assert statuses == [200, 200, 200, 429, 429]
    assert len(sms_outbox.messages()) == 3


def test_claiming_an_account_drops_the_number_staff_typed(api_client, salon, services, staff):
    from booking.services import CustomerDetails, customer_find_or_create

    customer_find_or_create(details=CustomerDetails(email="walkin@example.com", phone="07911 123456"), business=salon)
    challenge = sign_in(api_client, email="walkin@example.com")
    assert verify(api_client, challenge, with_known_code(challenge)).status_code == 200
    account = CustomerAccount.objects.get(email="walkin@example.com")
    assert account.phone == ""  # the salon still has it on its relationship
    assert account.business_relationships.get().phone == "+447911123456"
