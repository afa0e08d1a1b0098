"""Messages in the customer's language (issue 21): an e-mail in French and an SMS in Polish,
read from the outbox, with the language's dates and prices; the salon's language for a customer
who chose none; staff notices in the salon's language; API errors in Accept-Language."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core import mail
from icalendar import Calendar

from booking.services import Actor, appointment_book, appointment_reschedule
from booking.sms_replies import sms_reply
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MONDAY_10 = datetime(2030, 3, 4, 10, tzinfo=UTC)  # 10:00 in London (GMT in March)
DESK = Actor.system("desk")


@pytest.fixture
def book(django_capture_on_commit_callbacks):
    """Book as the front desk would; the messages go out as the booking commits."""

    def run(salon, service, staff, customer, start=MONDAY_10):
        with django_capture_on_commit_callbacks(execute=True):
            return appointment_book(
                business=salon, service=service, staff=staff, start=start, by=DESK, customer=customer
            )

    return run


@pytest.fixture
def euro_salon(salon, services):
    salon.currency = "EUR"
    salon.save()
    services[0].price = Decimal("45.50")
    services[0].save()
    return salon


def test_a_french_customer_gets_a_french_email_and_invite(euro_salon, staff, services, dana, book):
    dana.language = "fr"
    dana.save()
    book(euro_salon, services[0], staff[0], dana)

    message = mail.outbox[0]
    assert message.subject.startswith("Réservé")
    assert "Bonjour Dana" in message.body or "Bonjour," in message.body
    assert "lundi 4 mars 2030" in message.body  # French date, no capital, day before month
    assert "45,50\u00a0€" in message.body  # French price: comma, the sign after a no-break space
    assert "Cut avec Ana" in message.body
    html = message.alternatives[0][0]
    assert 'lang="fr"' in html and "lundi 4 mars 2030" in html
    event = Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")[0]
    assert str(event["summary"]) == "Cut chez Salon Alpha"


def test_a_polish_customer_gets_a_polish_sms(
    euro_salon, staff, services, dana, sms_outbox, book, django_capture_on_commit_callbacks
):
    euro_salon.sms_enabled = True
    euro_salon.save()
    dana.language, dana.phone, dana.phone_verified = "pl", "+48601234567", True
    dana.save()
    appointment = book(euro_salon, services[0], staff[0], dana)
    booked = sms_outbox.messages()[0]
    assert "Salon Alpha: zarezerwowano Cut, pon., 4 mar 10:00." in booked

    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(appointment=appointment, start=MONDAY_10.replace(hour=11), by=DESK)
    moved = sms_outbox.messages()[1]
    assert "przeniesiono" in moved and "11:00" in moved


def test_a_customer_without_a_language_reads_the_salons(salon, staff, services, dana, book):
    salon.language = "de"
    salon.save()
    book(salon, services[0], staff[0], dana)
    assert "Montag, 4. März 2030" in mail.outbox[0].body


def test_staff_notices_are_in_the_salons_language_whatever_the_customer_reads(salon, staff, services, dana, book):
    salon.language = "nl"
    salon.save()
    dana.language = "pl"
    dana.save()
    staff[0].user = UserFactory(email="ana@alpha.example")
    staff[0].save()
    book(salon, services[0], staff[0], dana)
    to_customer = next(m for m in mail.outbox if m.to == [dana.email])
    to_staff = next(m for m in mail.outbox if m.to == ["ana@alpha.example"])
    assert "poniedziałek, 4 marca 2030" in to_customer.body
    assert "maandag 4 maart 2030" in to_staff.body


def test_the_api_answers_errors_in_the_language_asked_for(api_client, salon, services):
    query = {"service": services[0].pk, "days": 500}
    german = api_client.get(f"/api/business/{salon.pk}/availability", query, headers={"accept-language": "de"})
    english = api_client.get(f"/api/business/{salon.pk}/availability", query)
    assert german.status_code == english.status_code == 400
    assert german.json()["error"]["code"] == english.json()["error"]["code"] == "validation_error"
    assert german["Content-Language"] == "de" and english["Content-Language"] == "en"
    assert german.json()["error"]["message"] != english.json()["error"]["message"]
    assert german.json()["error"]["fields"]["days"] != english.json()["error"]["fields"]["days"]
    assert "62" in german.json()["error"]["fields"]["days"][0]


def test_a_sign_in_code_by_text_comes_in_the_language_of_the_page_that_asked(
    api_client, dana, sms_outbox, django_capture_on_commit_callbacks
):
    dana.phone, dana.phone_verified, dana.user = "+48601234567", True, UserFactory(email=dana.email)
    dana.save()
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            "/api/customer/auth/login", {"phone": "+48601234567"}, format="json", headers={"accept-language": "pl"}
        )
    assert "\n\nKod Chairtime: " in sms_outbox.messages()[0]


def test_replies_to_texts_answer_in_the_customers_language(dana, salon, sms_outbox):
    dana.phone, dana.phone_verified, dana.language = "+33612345678", True, "fr"
    dana.save()
    assert "aucun rendez-vous" in sms_reply(phone="+33612345678", body="X").lower()
    assert sms_reply(phone="+33612345678", body="STOP").startswith("Vous ne recevrez plus")
