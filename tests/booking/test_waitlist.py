"""The waitlist (issue 20, DESIGN §12): join, match, offer, click, book; the next in line."""

import re
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from booking.models import Appointment, Notification, SlotHold, WaitlistEntry, WaitlistOffer
from booking.services import Actor, appointment_cancel
from booking.waitlist import (
    Window,
    offer_book,
    offerable_slot,
    waitlist_join,
    waitlist_offer_due,
    waitlist_sweep,
)
from tests.api_helpers import customer_client, error_code
from tests.factories import CustomerFactory, make_appointment

pytestmark = pytest.mark.django_db


def next_weekday(salon, days: int = 3) -> date:
    day = timezone.localdate(timezone=salon.zone) + timedelta(days=days)
    return day + timedelta(days=1) if day.weekday() == 6 else day  # closed on Sundays


def at(salon, day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=salon.zone)


def fill_day(salon, member, service, day) -> list[Appointment]:
    """Book the member's whole day (9:00 to 18:00) in `service`-long appointments."""
    booked, start = [], at(salon, day, 9)
    while start + service.duration <= at(salon, day, 18):
        booked.append(make_appointment(staff=member, service=service, customer=CustomerFactory(), start=start))
        start += service.duration
    return booked


def join(salon, service, member, day, *, email: str, **window) -> WaitlistEntry:
    _, customer = customer_client(email)
    return waitlist_join(
        customer=customer,
        business=salon,
        service=service,
        staff=member,
        windows=[Window(from_date=day, to_date=day, **window)],
    )


def offer_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/customer/waitlist/offers/\S+)", message.body).group(1)


# --- matching --------------------------------------------------------------------------------


@given(
    start_minutes=st.integers(min_value=0, max_value=24 * 60 - 31),
    day_offset=st.integers(min_value=-3, max_value=10),
    from_time=st.none() | st.times(),
    to_time=st.none() | st.times(),
    weekdays=st.none() | st.sets(st.integers(min_value=0, max_value=6), min_size=1),
)
def test_a_window_allows_exactly_the_times_inside_it(start_minutes, day_offset, from_time, to_time, weekdays):
    first = date(2027, 3, 1)
    window = Window(
        first, first + timedelta(days=6), from_time, to_time, tuple(sorted(weekdays)) if weekdays else None
    )
    day = first + timedelta(days=day_offset)
    start = datetime.combine(day, time(0)) + timedelta(minutes=start_minutes)
    end = start + timedelta(minutes=30)
    expected = (
        first <= day <= first + timedelta(days=6)
        and (weekdays is None or day.weekday() in weekdays)
        and (from_time is None or start.time() >= from_time)
        and (to_time is None or (end.date() == day and end.time() <= to_time))
    )
    assert window.allows(start, end) == expected


def test_an_entry_matches_only_free_times_inside_its_windows(salon, staff, services):
    cut = services[0]
    day = next_weekday(salon)
    entry = join(salon, cut, staff[0], day, email="wait@example.com", from_time=time(16), to_time=time(17))
    now = timezone.now()
    assert offerable_slot(entry, now=now).start == at(salon, day, 16)
    make_appointment(staff=staff[0], service=cut, customer=CustomerFactory(), start=at(salon, day, 16))
    assert offerable_slot(entry, now=now).start == at(salon, day, 16, 30)
    assert offerable_slot(entry, now=now, skip=[at(salon, day, 16, 30)]) is None  # 16:45 would end after 17:00


# --- the API ---------------------------------------------------------------------------------


def test_customers_join_list_and_leave_their_waitlist_over_the_api(salon, staff, services):
    client, _ = customer_client("wait@example.com")
    day = next_weekday(salon)
    body = {
        "business_id": str(salon.pk),
        "service_id": str(services[0].pk),
        "staff_id": str(staff[0].pk),
        "windows": [
            {
                "from_date": day.isoformat(),
                "to_date": (day + timedelta(days=7)).isoformat(),
                "from_time": "16:00",
                "weekdays": [4, 0, 0],
            }
        ],
    }
    fill_day(salon, staff[0], services[0], day)  # nothing to offer yet on the first day
    joined = client.post("/api/customer/waitlist", body, format="json")
    assert joined.status_code == 201, joined.content
    entry = joined.json()
    assert entry["status"] == "waiting" and entry["staff_id"] == str(staff[0].pk)
    assert entry["windows"] == [
        {
            "from_date": day.isoformat(),
            "to_date": (day + timedelta(days=7)).isoformat(),
            "from_time": "16:00",
            "weekdays": [0, 4],
        }
    ]
    assert [e["id"] for e in client.get("/api/customer/waitlist").json()] == [entry["id"]]

    other, _ = customer_client("other@example.com")
    assert other.get("/api/customer/waitlist").json() == []
    assert other.delete(f"/api/customer/waitlist/{entry['id']}").status_code == 404
    assert client.delete(f"/api/customer/waitlist/{entry['id']}").status_code == 204
    assert client.get("/api/customer/waitlist").json() == []
    assert WaitlistEntry.objects.get().status == "left"
    assert client.delete(f"/api/customer/waitlist/{entry['id']}").status_code == 404
    assert APIClient().get("/api/customer/waitlist").status_code == 401


def test_bad_waitlist_input_is_a_400_naming_the_field(salon, staff, services, other_salon):
    client, _ = customer_client("wait@example.com")
    today = timezone.localdate(timezone=salon.zone)
    base = {"business_id": str(salon.pk), "service_id": str(services[0].pk)}

    def refused(windows, **extra):
        answer = client.post("/api/customer/waitlist", {**base, "windows": windows, **extra}, format="json")
        assert answer.status_code == 400, answer.content
        return answer.json()["error"]["fields"]

    d = today.isoformat
    assert "windows" in refused([])
    assert "windows.0.to_date" in refused([{"from_date": (today + timedelta(days=2)).isoformat(), "to_date": d()}])
    assert "windows.0.to_date" in refused(
        [{"from_date": (today - timedelta(days=5)).isoformat(), "to_date": (today - timedelta(days=1)).isoformat()}]
    )
    far = (today + timedelta(days=salon.max_advance_days + 1)).isoformat()
    assert "windows.0.from_date" in refused([{"from_date": far, "to_date": far}])
    assert "windows.0.to_time" in refused(
        [{"from_date": d(), "to_date": d(), "from_time": "17:00", "to_time": "16:00"}]
    )
    assert "windows" in refused([{"from_date": d(), "to_date": d(), "weekdays": [7]}])
    assert "service_id" in refused([{"from_date": d(), "to_date": d()}], service_id=str(other_salon.services.get().pk))
    assert "staff_id" in refused([{"from_date": d(), "to_date": d()}], staff_id=str(services[0].pk))
    assert not WaitlistEntry.objects.exists()


def test_a_customer_waits_for_at_most_five_times_per_salon(salon, staff, services):
    client, _ = customer_client("wait@example.com")
    day = next_weekday(salon)
    body = {
        "business_id": str(salon.pk),
        "service_id": str(services[0].pk),
        "windows": [{"from_date": day.isoformat(), "to_date": day.isoformat(), "from_time": "23:00"}],
    }
    assert [client.post("/api/customer/waitlist", body, format="json").status_code for _ in range(5)] == [201] * 5
    sixth = client.post("/api/customer/waitlist", body, format="json")
    assert sixth.status_code == 409 and error_code(sixth) == "invalid_state"


# --- offers ----------------------------------------------------------------------------------


def test_a_cancelled_appointment_is_offered_to_the_first_in_line_who_books_it_from_the_email(
    salon, staff, services, django_capture_on_commit_callbacks
):
    cut = services[0]
    day = next_weekday(salon)
    booked = fill_day(salon, staff[0], cut, day)
    first = join(salon, cut, staff[0], day, email="first@example.com")
    join(salon, cut, staff[0], day, email="second@example.com")
    assert waitlist_offer_due(salon) == []  # the day is full

    with django_capture_on_commit_callbacks(execute=True):  # the cancellation queues the look
        appointment_cancel(appointment=booked[4], by=Actor.system())
    offer = WaitlistOffer.objects.get()
    assert (offer.entry, offer.start, offer.staff) == (first, booked[4].start, staff[0])
    assert SlotHold.objects.get().start == offer.start  # nobody else can take it meanwhile

    (message,) = [m for m in mail.outbox if m.to == ["first@example.com"]]
    assert "is free" in message.subject and "30 minutes" in message.body
    assert Notification.objects.get(offer=offer, channel="email").status == "sent"
    link = offer_link(message)
    assert "offers/" in link
    visitor = Client()  # one click from the e-mail, not signed in
    page = visitor.get(link)
    assert page.status_code == 200 and "Book this time" in page.content.decode()
    assert not Appointment.objects.filter(customer=first.customer).exists()  # opening the link books nothing
    done = visitor.post(link)
    assert done.status_code == 200 and "You're booked!" in done.content.decode()
    appointment = Appointment.objects.get(customer=first.customer)
    assert (appointment.start, appointment.staff) == (booked[4].start, staff[0])
    first.refresh_from_db()
    assert (first.status, first.appointment) == ("booked", appointment)
    assert WaitlistOffer.objects.get().status == "booked" and not SlotHold.objects.exists()
    again = visitor.post(link)
    assert again.status_code == 409 and Appointment.objects.filter(customer=first.customer).count() == 1
    assert Client().get(link[:-3] + "xyz").status_code == 404  # a forged link


def test_the_second_in_line_gets_the_time_when_the_first_lets_the_offer_expire(salon, staff, services):
    cut = services[0]
    day = next_weekday(salon)
    booked = fill_day(salon, staff[0], cut, day)
    first = join(salon, cut, staff[0], day, email="first@example.com")
    second = join(salon, cut, staff[0], day, email="second@example.com")
    appointment_cancel(appointment=booked[2], by=Actor.system())
    (offer,) = waitlist_offer_due(salon)
    assert offer.entry == first
    assert waitlist_sweep() == 0  # the time is held for the first: the second waits

    with time_machine.travel(offer.expires_at + timedelta(seconds=1)):
        assert waitlist_sweep() == 1
        offers = {o.entry: o for o in WaitlistOffer.objects.all()}
        assert offers[first].status == "expired"
        assert (offers[second].status, offers[second].start) == ("open", booked[2].start)
        with pytest.raises(Exception, match="ended"):
            offer_book(offer=offers[first])
        appointment = offer_book(offer=offers[second])
    assert appointment.customer == second.customer
    assert WaitlistEntry.objects.get(pk=first.pk).status == "waiting"  # still waiting for another time


def test_first_to_click_mode_offers_everyone_and_the_first_click_wins(salon, staff, services):
    salon.waitlist_first_click = True
    salon.save()
    cut = services[0]
    day = next_weekday(salon)
    booked = fill_day(salon, staff[0], cut, day)
    first = join(salon, cut, staff[0], day, email="first@example.com")
    second = join(salon, cut, staff[0], day, email="second@example.com")
    appointment_cancel(appointment=booked[0], by=Actor.system())
    offers = {offer.entry: offer for offer in waitlist_offer_due(salon)}
    assert set(offers) == {first, second} and not SlotHold.objects.exists()
    offer_book(offer=offers[second])
    assert WaitlistOffer.objects.get(pk=offers[first].pk).status == "taken"  # closed at once
    late = Client().post(offer_link_for(offers[first]))
    assert late.status_code == 409 and "just been taken" in late.content.decode()
    assert WaitlistOffer.objects.get(pk=offers[first].pk).status == "taken"
    assert Appointment.objects.get(start=booked[0].start, status="confirmed").customer == second.customer


def offer_link_for(offer) -> str:
    from booking.waitlist import offer_token

    return f"/customer/waitlist/offers/{offer_token(offer)}"


def test_entries_expire_after_their_last_date_and_leaving_frees_an_offered_time(salon, staff, services):
    cut = services[0]
    day = next_weekday(salon)
    booked = fill_day(salon, staff[0], cut, day)
    entry = join(salon, cut, staff[0], day, email="first@example.com")
    appointment_cancel(appointment=booked[0], by=Actor.system())
    assert len(waitlist_offer_due(salon)) == 1
    from booking.waitlist import waitlist_leave

    waitlist_leave(entry=entry)
    assert WaitlistOffer.objects.get().status == "expired" and not SlotHold.objects.exists()

    later = join(salon, cut, staff[1], day, email="later@example.com", from_time=time(23))
    with time_machine.travel(at(salon, day + timedelta(days=1), 12)):
        waitlist_sweep()
    assert WaitlistEntry.objects.get(pk=later.pk).status == "expired"


def test_offer_links_and_hold_tokens_stay_out_of_the_logs():
    from config.request_log import logged_path

    assert logged_path("/customer/waitlist/offers/0f6a:SeCrEt-sig") == "/customer/waitlist/offers/…"
    assert logged_path("/api/holds/SeCrEt_token/") == "/api/holds/…/"
    assert logged_path("/customer/waitlist") == "/customer/waitlist"


def test_a_deleted_account_leaves_the_waitlist_and_frees_what_it_held(salon, staff, services):
    from booking.services import customer_erase

    cut = services[0]
    day = next_weekday(salon)
    booked = fill_day(salon, staff[0], cut, day)
    entry = join(salon, cut, staff[0], day, email="first@example.com")
    appointment_cancel(appointment=booked[0], by=Actor.system())
    assert len(waitlist_offer_due(salon)) == 1 and SlotHold.objects.exists()
    customer_erase(customer=entry.customer)
    assert not WaitlistEntry.objects.exists() and not WaitlistOffer.objects.exists()
    assert not SlotHold.objects.exists()  # the freed time is free again


def test_nobody_is_offered_a_time_they_cannot_be_told_of(salon, staff, services):
    cut = services[0]
    day = next_weekday(salon)
    booked = fill_day(salon, staff[0], cut, day)
    silent = CustomerFactory(email=None, phone="+447911123456", phone_verified=True)  # the salon sends no texts
    waitlist_join(customer=silent, business=salon, service=cut, staff=staff[0], windows=[Window(day, day)])
    appointment_cancel(appointment=booked[0], by=Actor.system())
    assert waitlist_offer_due(salon) == [] and not SlotHold.objects.exists()
