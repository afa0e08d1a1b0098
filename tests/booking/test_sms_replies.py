"""Two-way SMS (issue 20): replies to our texts confirm, cancel or stop; only signed ones count."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from booking.models import Appointment, AppointmentHistory, Notification
from customers.models import CustomerAccount
from customers.sms import twilio_signature
from tests.factories import CustomerFactory, make_appointment

pytestmark = pytest.mark.django_db

TOKEN = "test-auth-token"
SITE = "https://salon.example"
URL = f"{SITE}/sms/twilio/inbound"
PHONE = "+447911123456"


@pytest.fixture
def replies_on(settings):
    settings.SMS_REPLIES = True
    settings.SITE_URL = SITE
    settings.SMS_URL = f"twilio://AC123:{TOKEN}@api.twilio.com?from=%2B447700900000"


def texted(salon, staff, service, *, days: int = 3, hour: int = 10, customer=None) -> Appointment:
    """An upcoming appointment whose confirmation SMS went to PHONE."""
    day = timezone.localdate(timezone=salon.zone) + timedelta(days=days)
    customer = customer or CustomerFactory(phone=PHONE, phone_verified=True)
    appointment = make_appointment(
        staff=staff, service=service, customer=customer, start=datetime.combine(day, time(hour), tzinfo=salon.zone)
    )
    Notification.objects.create(
        appointment=appointment, kind="confirmation", channel="sms", sequence=0, recipient=PHONE, status="sent"
    )
    return appointment


def reply(client, body: str, *, sender: str = PHONE, signature: str | None = None):
    params = {"From": sender, "To": "+447700900000", "Body": body, "MessageSid": "SM123"}
    signed = twilio_signature(TOKEN, URL, {name: [value] for name, value in params.items()})
    headers = {"HTTP_X_TWILIO_SIGNATURE": signed if signature is None else signature}
    return client.post("/sms/twilio/inbound", params, **headers)


def test_the_signature_is_twilios():
    """The vector computed by Twilio's own RequestValidator (twilio 9.13.0)."""
    params = {"From": ["+447911123456"], "To": ["+447700900000"], "Body": ["YES"], "MessageSid": ["SM123"]}
    assert twilio_signature(TOKEN, "https://salon.example/sms/inbound", params) == "ES8nK+nVuw1cseWmHx4f4PZGKFA="


def test_unsigned_or_forged_replies_change_nothing(client, replies_on, salon, staff, services):
    appointment = texted(salon, staff[0], services[0])
    assert reply(client, "X", signature="").status_code == 403
    assert reply(client, "X", signature="bm90IGl0").status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == "confirmed"


def test_replies_are_not_heard_unless_set_up(client, settings, salon, staff, services):
    settings.SMS_REPLIES = False
    assert client.post("/sms/twilio/inbound", {"From": PHONE, "Body": "X"}).status_code == 404


def test_texts_invite_replies_once_they_are_set_up(replies_on, salon, staff, services):
    from booking.notifications import build_sms

    appointment = texted(salon, staff[0], services[0])
    assert "Reply C to confirm, X to cancel." in build_sms(appointment, "reminder")
    assert "Reply C" not in build_sms(appointment, "cancellation")


def test_yes_confirms_and_staff_see_it(client, replies_on, salon, staff, services, bob):
    appointment = texted(salon, staff[0], services[0])
    answer = reply(client, " yes ")
    assert answer.status_code == 200 and answer["Content-Type"] == "text/xml"
    assert "<Message>Salon Alpha: thank you, see you" in answer.content.decode()
    appointment.refresh_from_db()
    assert appointment.client_confirmed_at is not None and appointment.status == "confirmed"
    assert appointment.history.filter(action=AppointmentHistory.Action.CLIENT_CONFIRMED).count() == 1
    reply(client, "C")  # once is enough
    assert appointment.history.filter(action=AppointmentHistory.Action.CLIENT_CONFIRMED).count() == 1
    from django.urls import reverse

    client.force_login(bob)
    panel = client.get(reverse("admin:frontdesk-appointment", args=[appointment.pk])).content.decode()
    assert "confirmed by the client" in panel


def test_x_cancels_outside_the_window_and_inside_it_says_to_call(client, replies_on, salon, staff, services):
    salon.phone = "020 7946 0000"
    salon.save()
    soon = texted(salon, staff[0], services[0], days=0, hour=23)  # inside the 24 h window
    soon.start = timezone.now() + timedelta(hours=2)
    soon.set_times(soon.start, soon.duration)
    soon.save()
    answer = reply(client, "X")
    assert "too late to cancel" in answer.content.decode() and "020 7946 0000" in answer.content.decode()
    soon.refresh_from_db()
    assert soon.status == "confirmed"
    soon.delete()
    later = texted(salon, staff[0], services[0], days=5)
    answer = reply(client, "cancel")
    assert "cancelled Cut" in answer.content.decode()
    later.refresh_from_db()
    assert later.status == "cancelled" and later.cancel_reason == "Cancelled by SMS reply."


def test_unknown_numbers_and_several_appointments_get_help_not_action(client, replies_on, salon, staff, services):
    answer = reply(client, "X", sender="+447911123457")
    assert "could not find an upcoming appointment" in answer.content.decode()
    customer = CustomerFactory(phone=PHONE, phone_verified=True)
    first = texted(salon, staff[0], services[0], days=3, customer=customer)
    second = texted(salon, staff[0], services[0], days=4, customer=customer)
    answer = reply(client, "X")
    assert "2 upcoming appointments" in answer.content.decode()
    assert set(Appointment.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {
        "confirmed"
    }
    assert "Reply C to confirm" in reply(client, "what?").content.decode()


def test_stop_opts_the_number_out_and_start_back_in(client, replies_on, salon, staff, services):
    appointment = texted(salon, staff[0], services[0])
    assert "no more texts" in reply(client, "STOP").content.decode()
    assert CustomerAccount.objects.get(pk=appointment.customer_id).sms_opt_out
    assert "again" in reply(client, "start").content.decode()
    assert not CustomerAccount.objects.get(pk=appointment.customer_id).sms_opt_out
