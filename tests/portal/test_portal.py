"""The customer portal pages with the Django test client."""

import json
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from icalendar import Calendar

from booking.models import Appointment
from booking.services import Actor, appointment_book
from customers.models import CustomerAccount, CustomerBusinessRelationship
from customers.services import customer_for_user
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, 12, tzinfo=UTC)  # Friday
MONDAY_10 = datetime(2030, 3, 4, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def book_for(user, salon, service, staff, start=MONDAY_10):
    return appointment_book(
        business=salon, service=service, staff=staff, start=start, by=Actor.system(), customer=customer_for_user(user)
    )


def test_the_salon_page_is_public(client, salon, staff, services):
    salon.address = "1 High Street"
    salon.save()
    response = client.get(f"/customer/portal?business={salon.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Salon Alpha",
        "Cut",
        "£30.00",
        "£0.00",
        "Ana",
        "Ben",
        "Monday",
        "09:00–18:00",
        "Closed",
        "1 High Street",
        "Book an appointment",
    ):
        assert text in html, text


@pytest.mark.parametrize("business", ["00000000-0000-0000-0000-000000000000", "nope"])
def test_an_unknown_salon_is_a_friendly_404(client, business):
    response = client.get(f"/customer/portal?business={business}")
    assert response.status_code == 404
    assert "could not find" in response.content.decode()


def test_signed_in_customers_see_their_upcoming_appointments_there(
    dana_client, dana_user, salon, staff, services, other_salon
):
    book_for(dana_user, salon, services[0], staff[0])
    other = other_salon.services.get()
    book_for(dana_user, other_salon, other, other_salon.staff.get(), datetime(2030, 3, 4, 15, tzinfo=UTC))
    html = dana_client.get(f"/customer/portal?business={salon.pk}").content.decode()
    assert "Your upcoming appointments" in html and "Monday 4 March, 10:00" in html
    assert "Beta cut" not in html


def test_signed_out_visitors_of_the_bare_portal_go_to_login(client):
    response = client.get("/customer/portal")
    assert response.status_code == 302 and response["Location"].startswith("/customer/login?next=")


# --- booking ---------------------------------------------------------------------------------


def test_the_booking_steps_without_javascript(dana_client, salon, staff, services):
    base = f"/customer/book-appointment?business={salon.pk}"
    html = dana_client.get(base).content.decode()
    assert "1. Choose a service" in html and "Colour" in html
    html = dana_client.get(f"{base}&service={services[0].pk}").content.decode()
    assert "2. Choose who" in html and "Anyone available" in html and "Ben" in html
    html = dana_client.get(f"/customer/book?business={salon.pk}&service={services[0].pk}&staff=any").content.decode()
    assert "3. Choose a day and time" in html and "Europe/London" in html
    assert "full" in html  # Sunday
    html = dana_client.get(f"{base}&service={services[0].pk}&staff=any&date=2030-03-04").content.decode()
    assert ">09:00<" in html and ">17:30<" in html
    start = "2030-03-04T10:00:00+00:00"
    html = dana_client.get(
        f"{base}&service={services[0].pk}&staff=any&date=2030-03-04&start={start}".replace("+", "%2B")
    ).content.decode()
    assert "4. Confirm" in html and "Monday, 4 March 2030, 10:00" in html and "Confirm booking" in html

    response = dana_client.post(
        "/customer/book-appointment",
        {"business": salon.pk, "service": services[0].pk, "staff": "any", "start": start, "notes": "Short please"},
    )
    appointment = Appointment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/customer/appointments/{appointment.pk}?booked=1"
    assert (appointment.source, appointment.notes, appointment.start) == ("portal", "Short please", MONDAY_10)
    page = dana_client.get(response["Location"]).content.decode()
    assert "booked" in page and "Add to calendar" in page and "Reschedule" in page


def test_the_choice_survives_signing_in(client, salon, staff, services):
    start = "2030-03-04T10:00:00+00:00"
    response = client.post(
        "/customer/book-appointment",
        {"business": salon.pk, "service": services[0].pk, "staff": str(staff[1].pk), "start": start},
    )
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/customer/login"
    next_url = parse_qs(location.query)["next"][0]
    assert parse_qs(urlsplit(next_url).query)["start"] == [start]
    client.post("/customer/login", {"action": "start", "contact": "new@example.com", "next": next_url})
    code = re.search(r"\b(\d{8})\b", mail.outbox[-1].body).group(1)
    client.post("/customer/login", {"action": "verify", "code": code})
    back = client.post("/customer/login", {"action": "name", "first_name": "New"})
    assert back["Location"] == next_url
    assert "4. Confirm" in client.get(next_url).content.decode()


def test_a_taken_slot_says_so_and_offers_the_nearest_times(dana_client, salon, staff, services, dana):
    for member in staff:
        appointment_book(
            business=salon, service=services[0], staff=member, start=MONDAY_10, by=Actor.system(), customer=dana
        )
    response = dana_client.post(
        "/customer/book-appointment",
        {"business": salon.pk, "service": services[0].pk, "staff": "any", "start": MONDAY_10.isoformat()},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "just taken" in html
    assert "Mon 4 Mar, 09:30" in html and "Mon 4 Mar, 10:30" in html
    assert Appointment.objects.count() == 2


def test_the_time_step_query_count_is_pinned(dana_client, salon, staff, services, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        response = dana_client.get(
            f"/customer/book-appointment?business={salon.pk}&service={services[0].pk}&staff=any"
        )
    assert response.status_code == 200


# --- one appointment ------------------------------------------------------------------------------


def test_a_customer_never_sees_another_customers_appointment(client, dana_user, salon, staff, services):
    appointment = book_for(dana_user, salon, services[0], staff[0])
    client.force_login(UserFactory(email="erin@example.com"))
    for path in ("", "/calendar.ics", "/cancel", "/reschedule"):
        assert client.get(f"/customer/appointments/{appointment.pk}{path}").status_code == 404, path
    assert client.post(f"/customer/appointments/{appointment.pk}/cancel").status_code == 404
    assert Appointment.objects.get().status == "confirmed"


def test_add_to_calendar_downloads_an_invite(dana_client, dana_user, salon, staff, services):
    appointment = book_for(dana_user, salon, services[0], staff[0])
    response = dana_client.get(f"/customer/appointments/{appointment.pk}/calendar.ics")
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["uid"]) == f"appointment-{appointment.pk}@chairtime"
    assert event["sequence"] == 0
    assert event.decoded("dtstart") == MONDAY_10


def test_cancel_with_a_confirm_step(dana_client, dana_user, salon, staff, services):
    appointment = book_for(dana_user, salon, services[0], staff[0])
    assert (
        "Cancel this appointment?"
        in dana_client.get(f"/customer/appointments/{appointment.pk}/cancel").content.decode()
    )
    response = dana_client.post(f"/customer/appointments/{appointment.pk}/cancel", {"reason": "ill"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancel_reason) == ("cancelled", "ill")


def test_changes_inside_the_window_are_refused_and_not_offered(dana_client, dana_user, salon, staff, services):
    soon = book_for(dana_user, salon, services[0], staff[0], datetime(2030, 3, 1, 15, tzinfo=UTC))
    page = dana_client.get(f"/customer/appointments/{soon.pk}").content.decode()
    assert "/cancel" not in page and "please call the salon" in page
    response = dana_client.post(f"/customer/appointments/{soon.pk}/cancel")
    assert response.status_code == 409 and "please call the salon" in response.content.decode()
    soon.refresh_from_db()
    assert soon.status == "confirmed"
    history = dana_client.get("/customer/appointment-history").content.decode()
    assert f"/customer/appointments/{soon.pk}/cancel" not in history


def test_reschedule_page_moves_the_appointment(dana_client, dana_user, salon, staff, services):
    appointment = book_for(dana_user, salon, services[0], staff[0])
    html = dana_client.get(f"/customer/appointments/{appointment.pk}/reschedule?date=2030-03-05").content.decode()
    assert "Move your appointment" in html and 'value="2030-03-05T14:00:00+00:00"' in html
    response = dana_client.post(
        f"/customer/appointments/{appointment.pk}/reschedule", {"start": "2030-03-05T14:00:00+00:00"}
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == datetime(2030, 3, 5, 14, tzinfo=UTC) and appointment.sequence == 1


# --- history ----------------------------------------------------------------------------------------


def test_history_lists_mine_with_stats(
    dana_client, dana_user, salon, staff, services, other_salon, django_assert_max_num_queries
):
    book_for(dana_user, salon, services[0], staff[0])
    past = book_for(dana_user, salon, services[1], staff[1], datetime(2030, 2, 25, 10, tzinfo=UTC))
    from booking.services import appointment_complete

    appointment_complete(appointment=past, by=Actor.system())
    book_for(UserFactory(email="erin@example.com"), salon, services[0], staff[1])
    with django_assert_max_num_queries(8):
        response = dana_client.get("/customer/appointment-history")
    html = response.content.decode()
    assert "Monday, 4 March 2030, 10:00" in html and "Monday, 25 February 2030, 10:00" in html
    assert html.count('class="card"') == 2  # not Erin's
    assert "£95.00" in html and "Completed" in html
    assert re.search(r"<td>1</td><td>£95.00</td><td>95</td>", html)


# --- account ----------------------------------------------------------------------------------------


def test_account_updates_name_and_preferences(dana_client, dana_user):
    response = dana_client.post(
        "/customer/account", {"action": "profile", "first_name": "Dana", "last_name": "D", "sms_opt_out": "on"}
    )
    assert "Saved" in response.content.decode()
    account = CustomerAccount.objects.get(user=dana_user)
    assert (account.first_name, account.sms_opt_out, account.reminders_opt_out) == ("Dana", True, False)


def test_changing_email_needs_a_code_sent_to_it(dana_client, dana_user):
    dana_client.post("/customer/account", {"action": "email_start", "email": "dana.new@example.com"})
    assert mail.outbox[-1].to == ["dana.new@example.com"]
    assert CustomerAccount.objects.get(user=dana_user).email == "dana@example.com"
    code = re.search(r"\b(\d{8})\b", mail.outbox[-1].body).group(1)
    response = dana_client.post("/customer/account", {"action": "email_verify", "code": code})
    assert "dana.new@example.com" in response.content.decode()
    dana_user.refresh_from_db()
    assert dana_user.email == "dana.new@example.com"
    assert CustomerAccount.objects.get(user=dana_user).email == "dana.new@example.com"


def test_changing_phone_needs_the_sms_code(dana_client, dana_user, sms_outbox):
    dana_client.post("/customer/account", {"action": "phone_start", "phone": "+447911123456"})
    code = re.search(r"\b(\d{8})\b", sms_outbox.messages()[-1]).group(1)
    wrong = dana_client.post(
        "/customer/account", {"action": "phone_verify", "code": "000000" if code != "000000" else "1"}
    )
    assert wrong.status_code == 400
    dana_client.post("/customer/account", {"action": "phone_verify", "code": code})
    account = CustomerAccount.objects.get(user=dana_user)
    assert (account.phone, account.phone_verified) == ("+447911123456", True)


def test_download_my_data(dana_client, dana_user, salon, staff, services):
    book_for(dana_user, salon, services[0], staff[0])
    response = dana_client.get("/customer/account/export")
    data = json.loads(response.content)
    assert data["profile"]["email"] == "dana@example.com"
    assert data["appointments"][0]["salon"] == "Salon Alpha"
    assert data["appointments"][0]["start"] == "2030-03-04T10:00:00+00:00"


def test_deleting_the_account_keeps_the_salons_counts_but_no_personal_data(
    dana_client, dana_user, salon, staff, services
):
    from booking.services import appointment_complete

    past = book_for(dana_user, salon, services[1], staff[1], datetime(2030, 2, 25, 10, tzinfo=UTC))
    appointment_complete(appointment=past, by=Actor.system())
    upcoming = book_for(dana_user, salon, services[0], staff[0])
    account = CustomerAccount.objects.get(user=dana_user)
    CustomerAccount.objects.filter(pk=account.pk).update(first_name="Dana", phone="+447911123456")
    CustomerBusinessRelationship.objects.filter(customer=account).update(notes="Allergic to X")

    assert dana_client.post("/customer/account/delete").status_code == 302  # asks to confirm first
    response = dana_client.post("/customer/account/delete", {"confirm": "delete"})
    assert "Your account is deleted" in response.content.decode()

    account.refresh_from_db()
    assert account.email.endswith("@deleted.invalid")
    assert (account.first_name, account.last_name, account.phone, account.user_id) == ("", "", "", None)
    assert not type(dana_user).objects.filter(pk=dana_user.pk).exists()
    relationship = CustomerBusinessRelationship.objects.get(customer=account)
    assert (relationship.total_visits, relationship.total_spent, relationship.notes) == (1, past.price, "")
    assert Appointment.objects.get(pk=past.pk).status == "completed"
    assert Appointment.objects.get(pk=upcoming.pk).status == "cancelled"
    assert dana_client.get("/customer/account").status_code == 302  # signed out


def test_times_are_shown_in_the_salons_zone_in_summer_too(dana_client, dana_user, salon, staff, services):
    summer = book_for(dana_user, salon, services[0], staff[0], datetime(2030, 7, 1, 9, tzinfo=UTC))  # 10:00 BST
    page = dana_client.get(f"/customer/appointments/{summer.pk}").content.decode()
    assert "Monday, 1 July 2030, 10:00–10:30" in page
    assert "Monday, 1 July 2030, 10:00" in dana_client.get("/customer/appointment-history").content.decode()


def test_the_confirm_step_holds_the_time_for_this_browser_until_it_books(dana_client, salon, staff, services):
    """Issue 20: an anonymous visitor's chosen time is kept while they sign in; choosing
    another time moves the hold; the booking spends it."""
    from django.test import Client

    from booking.models import SlotHold

    base = f"/customer/book-appointment?business={salon.pk}&service={services[0].pk}&staff={staff[0].pk}"
    confirm = f"{base}&date=2030-03-04&start={{}}"
    visitor = Client()
    html = visitor.get(confirm.format("2030-03-04T10:00:00%2B00:00")).content.decode()
    assert "4. Confirm" in html and "We're keeping this time for you until 12:05." in html
    assert SlotHold.objects.get().start == MONDAY_10

    times = dana_client.get(f"{base}&date=2030-03-04").content.decode()
    assert ">09:30<" in times and ">10:00<" not in times  # held for the visitor, with Ana
    taken = dana_client.get(confirm.format("2030-03-04T10:00:00%2B00:00"))
    assert taken.status_code == 409 and "no longer free" in taken.content.decode()

    visitor.get(confirm.format("2030-03-04T11:00:00%2B00:00"))  # another choice: one hold per browser
    assert list(SlotHold.objects.values_list("start", flat=True)) == [datetime(2030, 3, 4, 11, tzinfo=UTC)]
    user = UserFactory(email="visitor@example.com")
    visitor.force_login(user)  # as after signing in: the session keeps the hold
    booked = visitor.post(
        "/customer/book-appointment",
        {
            "business": salon.pk,
            "service": services[0].pk,
            "staff": str(staff[0].pk),
            "start": "2030-03-04T11:00:00+00:00",
        },
    )
    assert booked.status_code == 302
    assert Appointment.objects.get().customer.email == "visitor@example.com"
    assert not SlotHold.objects.exists()


def test_customers_join_see_and_leave_the_waitlist_in_the_portal(dana_client, salon, staff, services):
    from booking.models import WaitlistEntry

    times = dana_client.get(
        f"/customer/book-appointment?business={salon.pk}&service={services[0].pk}&staff={staff[0].pk}&date=2030-03-04"
    ).content.decode()
    join_url = re.search(r'href="(/customer/waitlist/join\?[^"]+)"', times).group(1).replace("&amp;", "&")
    page = dana_client.get(join_url)
    assert page.status_code == 200 and "Join the waitlist" in page.content.decode()
    form = {
        "business": salon.pk,
        "service": services[0].pk,
        "staff": staff[0].pk,
        "from_date": "2030-03-04",
        "to_date": "2030-03-08",
        "from_time": "23:00",  # nothing is ever free that late: nothing is offered
        "weekdays": ["0", "2"],
    }
    bad = dana_client.post(join_url, {**form, "to_date": "2030-03-01"})
    assert bad.status_code == 400 and "Must be on or after from_date." in bad.content.decode()
    joined = dana_client.post(join_url, form)
    assert joined.status_code == 302 and joined["Location"] == "/customer/waitlist?joined=1"
    entry = WaitlistEntry.objects.get()
    assert entry.windows[0]["weekdays"] == [0, 2] and entry.staff == staff[0]
    listing = dana_client.get(joined["Location"]).content.decode()
    assert "You're on the waitlist" in listing and "Cut" in listing and "not before 23:00" in listing
    left = dana_client.post("/customer/waitlist", {"entry": str(entry.pk)})
    assert left.status_code == 302
    assert WaitlistEntry.objects.get().status == "left"
    assert "You are not waiting for any time." in dana_client.get("/customer/waitlist").content.decode()
    assert dana_client.post("/customer/waitlist", {"entry": str(entry.pk)}).status_code == 404
