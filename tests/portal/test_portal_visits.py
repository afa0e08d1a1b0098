"""Booking several services as one visit in the portal, without JavaScript: "add another
service" before the time, the items with their times and staff, and the visit moved and
cancelled as a whole."""

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from django.core import mail

from booking.models import Appointment, Visit
from booking.services import Actor, appointment_book, appointment_cancel
from booking.visits import visit_book
from customers.services import customer_for_user
from tests.factories import UserFactory, full_colour

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, 12, tzinfo=UTC)  # Friday; London is on GMT
BOOK = "/customer/book-appointment"


def at(day, hour, minute=0):
    return datetime(2030, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def colour(salon, staff, services):
    """90 minutes, the colour develops from minute 30 to minute 60: Ana is free then."""
    service = full_colour(salon, *staff, price=80)
    return service


def url(salon, *pairs, **extra):
    """The booking page with (service, staff) choices, staff None for "not chosen yet"."""
    query = [("business", str(salon.pk))]
    query += [("service", str(service.pk)) for service, _ in pairs]
    query += [("staff", who if isinstance(who, str) else str(who.pk)) for _, who in pairs if who is not None]
    return f"{BOOK}?{urlencode(query + list(extra.items()))}"


def page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, response.content.decode()[:500]
    return response.content.decode()


def book_visit(user, salon, *items, start):
    return visit_book(business=salon, items=items, start=start, by=Actor.system(), customer=customer_for_user(user))


def test_add_another_service_then_a_time_then_confirm(
    dana_client, salon, staff, services, colour, django_capture_on_commit_callbacks
):
    ana, ben = staff
    cut = services[0]
    html = page(dana_client, url(salon, (colour, ana)))
    assert "3. Choose a day and time" in html and "Add another service" in html
    adding = page(dana_client, url(salon, (colour, ana), add="1"))
    assert "Add another service" in adding and "right after the one before" in adding
    assert url(salon, (colour, ana), (cut, None)).replace("&", "&amp;") in adding  # choosing Cut appends it

    html = page(dana_client, url(salon, (colour, ana), (cut, None)))
    assert "Who for the Cut?" in html
    assert url(salon, (colour, ana), (cut, ben)).replace("&", "&amp;") in html

    html = page(dana_client, url(salon, (colour, ana), (cut, ben), date="2030-03-04"))
    assert "Service 1" in html and "Service 2" in html and "Full colour" in html and "with Ben" in html
    assert "In total" in html and "120 min" in html and "£110.00" in html
    assert ">10:00<" in html
    removal = url(salon, (cut, ben)).replace("&", "&amp;")
    assert f'href="{removal}"' in html  # "remove" leaves the cut, with Ben

    start = at(4, 10).isoformat()
    html = page(dana_client, url(salon, (colour, ana), (cut, ben), date="2030-03-04", start=start))
    assert "4. Confirm" in html
    assert "10:00–11:30</td><td>Full colour</td><td>Ana" in html and "11:30–12:00</td><td>Cut</td><td>Ben" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = dana_client.post(
            BOOK,
            {
                "business": salon.pk,
                "service": [colour.pk, cut.pk],
                "staff": [ana.pk, ben.pk],
                "start": start,
                "notes": "Dark roots",
            },
        )
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/customer/visits/{visit.pk}?booked=1"
    items = list(visit.appointments.order_by("start"))
    assert [(a.service, a.staff, a.start, a.end) for a in items] == [
        (colour, ana, at(4, 10), at(4, 11, 30)),
        (cut, ben, at(4, 11, 30), at(4, 12)),
    ]
    assert {a.source for a in items} == {"portal"} and visit.notes == "Dark roots"
    assert len(mail.outbox) == 1  # one confirmation for the visit, listing both
    assert "Full colour" in mail.outbox[0].body and "Cut" in mail.outbox[0].body

    html = page(dana_client, response["Location"])
    assert "You're booked!" in html and "Full colour + Cut" in html and "£110.00" in html
    assert "10:00–11:30</td><td>Full colour</td><td>Ana" in html and "11:30–12:00</td><td>Cut</td><td>Ben" in html
    assert f"/customer/visits/{visit.pk}/reschedule" in html and f"/customer/visits/{visit.pk}/cancel" in html
    assert f"/customer/appointments/{items[0].pk}/calendar.ics" in html


def test_a_third_client_is_offered_the_processing_window(dana_client, dana_user, salon, staff, services, colour):
    ana, ben = staff
    book_visit(dana_user, salon, (colour, ana), (services[0], ben), start=at(4, 10))
    consultation = services[2]  # 15 minutes, Ana only
    html = page(dana_client, url(salon, (consultation, ana), date="2030-03-04"))
    assert ">10:30<" in html and ">10:45<" in html  # while the colour develops
    assert ">10:00<" not in html and ">11:00<" not in html


def test_an_item_opens_its_visit_and_history_shows_the_visit_once(
    dana_client, dana_user, salon, staff, services, colour
):
    ana, ben = staff
    visit = book_visit(dana_user, salon, (colour, ana), (services[0], ben), start=at(4, 10))
    second = visit.appointments.order_by("start").last()
    response = dana_client.get(f"/customer/appointments/{second.pk}")
    assert response.status_code == 302 and response["Location"] == f"/customer/visits/{visit.pk}"

    history = page(dana_client, "/customer/appointment-history")
    assert history.count('class="card"') == 1
    assert "Full colour with Ana + Cut with Ben" in history and "£110.00" in history
    assert f"/customer/visits/{visit.pk}/cancel" in history
    assert f"/customer/appointments/{second.pk}/cancel" not in history
    salon_page = page(dana_client, f"/customer/portal?business={salon.pk}")
    assert "Full colour with Ana + Cut with Ben" in salon_page


def test_moving_the_visit_moves_every_item_and_keeps_the_stylists(
    dana_client, dana_user, salon, staff, services, colour
):
    ana, ben = staff
    visit = book_visit(dana_user, salon, (colour, ana), (services[0], ben), start=at(4, 10))
    html = page(dana_client, f"/customer/visits/{visit.pk}/reschedule?date=2030-03-05")
    assert "Move your visit" in html and 'value="2030-03-05T14:00:00+00:00"' in html
    response = dana_client.post(f"/customer/visits/{visit.pk}/reschedule", {"start": at(5, 14).isoformat()})
    assert response.status_code == 302 and response["Location"] == f"/customer/visits/{visit.pk}?rescheduled=1"
    assert [(a.staff, a.start, a.sequence) for a in visit.appointments.order_by("start")] == [
        (ana, at(5, 14), 1),
        (ben, at(5, 15, 30), 1),
    ]
    assert "Your visit has been moved." in page(dana_client, response["Location"])


def test_a_taken_time_is_a_form_error_and_moves_nothing(dana_client, dana_user, salon, staff, services, colour):
    ana, ben = staff
    visit = book_visit(dana_user, salon, (colour, ana), (services[0], ben), start=at(4, 10))
    other = customer_for_user(UserFactory(email="erin@example.com"))
    for member in staff:  # nobody is free for the cut after the colour
        appointment_book(
            business=salon, service=services[0], staff=member, start=at(5, 15, 30), by=Actor.system(), customer=other
        )
    response = dana_client.post(f"/customer/visits/{visit.pk}/reschedule", {"start": at(5, 14).isoformat()})
    assert response.status_code == 409 and 'role="alert"' in response.content.decode()
    assert [a.start for a in visit.appointments.order_by("start")] == [at(4, 10), at(4, 11, 30)]


def test_cancelling_the_visit_cancels_every_item(dana_client, dana_user, salon, staff, services, colour):
    ana, ben = staff
    visit = book_visit(dana_user, salon, (colour, ana), (services[0], ben), start=at(4, 10))
    html = page(dana_client, f"/customer/visits/{visit.pk}/cancel")
    assert "Cancel this visit?" in html and "Full colour" in html and "Cut" in html
    response = dana_client.post(f"/customer/visits/{visit.pk}/cancel", {"reason": "ill"})
    assert (
        response.status_code == 302 and response["Location"] == f"/customer/appointment-history?cancelled={visit.pk}"
    )
    assert {(a.status, a.cancel_reason) for a in visit.appointments.all()} == {("cancelled", "ill")}
    html = page(dana_client, f"/customer/visits/{visit.pk}")
    assert "Cancelled" in html and "/reschedule" not in html and "Add to calendar" not in html


def test_inside_the_cancellation_window_the_visit_cannot_change_online(
    dana_client, dana_user, salon, staff, services, colour
):
    ana, ben = staff
    visit = book_visit(dana_user, salon, (colour, ana), (services[0], ben), start=at(1, 15))
    html = page(dana_client, f"/customer/visits/{visit.pk}")
    assert "/cancel" not in html and "please call the salon" in html
    response = dana_client.post(f"/customer/visits/{visit.pk}/cancel")
    assert response.status_code == 409 and "please call the salon" in response.content.decode()
    assert set(visit.appointments.values_list("status", flat=True)) == {"confirmed"}


def test_another_customers_visit_is_not_found(client, dana_user, salon, staff, services, colour):
    visit = book_visit(dana_user, salon, (colour, staff[0]), (services[0], staff[1]), start=at(4, 10))
    client.force_login(UserFactory(email="erin@example.com"))
    for path in ("", "/cancel", "/reschedule"):
        assert client.get(f"/customer/visits/{visit.pk}{path}").status_code == 404, path
    assert client.post(f"/customer/visits/{visit.pk}/cancel").status_code == 404
    assert client.get("/customer/visits/not-a-uuid").status_code == 404
    assert set(visit.appointments.values_list("status", flat=True)) == {"confirmed"}


def test_a_visit_time_taken_since_it_was_shown_says_so(dana_client, salon, staff, services, colour):
    ana, ben = staff
    cut = services[0]
    start = at(4, 10)
    appointment_book(
        business=salon,
        service=cut,
        staff=ben,
        start=at(4, 11, 30),
        by=Actor.system(),
        customer=customer_for_user(UserFactory(email="erin@example.com")),
    )
    html = page(dana_client, url(salon, (colour, ana), (cut, ben), start=start.isoformat()), status=409)
    assert "no longer free" in html and "3. Choose a day and time" in html
    response = dana_client.post(
        BOOK,
        {"business": salon.pk, "service": [colour.pk, cut.pk], "staff": [ana.pk, ben.pk], "start": start.isoformat()},
    )
    assert response.status_code == 409 and "just taken" in response.content.decode()
    assert not Visit.objects.exists() and Appointment.objects.count() == 1


def test_the_visit_time_step_query_count_is_pinned(
    dana_client, salon, staff, services, colour, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        html = page(dana_client, url(salon, (colour, "any"), (services[0], "any")))
    assert "3. Choose a day and time" in html


def test_stale_or_tampered_choices_ask_again(dana_client, salon, staff, services, colour):
    ana, ben = staff
    consultation = services[2]  # Ana only: Ben is no choice for it
    html = page(dana_client, url(salon, (colour, ana), (consultation, ben)))
    assert "Who for the Consultation?" in html
    query = urlencode([("business", salon.pk), ("service", colour.pk), ("service", "nope"), ("staff", "any")])
    html = page(dana_client, f"{BOOK}?{query}")
    assert "3. Choose a day and time" in html and "Service 2" not in html
    six = url(salon, *[(services[0], "any")] * 6)
    assert "Service 5" in page(dana_client, six) and "Service 6" not in page(dana_client, six)


def test_a_visit_with_an_item_cancelled_by_the_salon_is_still_one_booking(
    dana_client, dana_user, salon, staff, services, colour
):
    ana, ben = staff
    visit = book_visit(dana_user, salon, (colour, ana), (services[0], ben), start=at(4, 10))
    first = visit.appointments.order_by("start").first()
    appointment_cancel(appointment=first, by=Actor.system(), reason="Ana is away")
    history = page(dana_client, "/customer/appointment-history")
    assert history.count('class="card"') == 1
    assert "Cut with Ben" in history and "Full colour" not in history and "£30.00" in history
    assert f"/customer/visits/{visit.pk}/cancel" in history  # the cut still can be cancelled online
    html = page(dana_client, f"/customer/visits/{visit.pk}")
    assert "<h1>Cut</h1>" in html and "11:30–12:00</td><td>Cut</td><td>Ben" in html and "Cancelled" in html


def test_an_items_own_change_pages_lead_to_its_visit(dana_client, dana_user, salon, staff, services, colour):
    visit = book_visit(dana_user, salon, (colour, staff[0]), (services[0], staff[1]), start=at(4, 10))
    item = visit.appointments.order_by("start").last()
    for path, target in (("cancel", "cancel"), ("reschedule", "reschedule")):
        response = dana_client.get(f"/customer/appointments/{item.pk}/{path}")
        assert response.status_code == 302 and response["Location"] == f"/customer/visits/{visit.pk}/{target}"


def test_tampered_visit_choices_are_refused_or_asked_again(dana_client, salon, staff, services, colour):
    html = page(dana_client, url(salon, (colour, None), add="1"))  # who for the colour comes first
    assert "2. Choose who" in html and "Add another service" not in html
    response = dana_client.post(
        BOOK,
        {
            "business": salon.pk,
            "service": [services[0].pk] * 6,
            "staff": ["any"] * 6,
            "start": at(4, 10).isoformat(),
        },
    )
    assert response.status_code == 400 and "at most 5 services" in response.content.decode()
    assert not Visit.objects.exists()
