"""A visit on the front desk: its items linked on the calendar and in the panel, and staff
cancelling one item or the whole visit."""

from datetime import UTC, date, datetime, time

import pytest
from django.urls import reverse

from booking.services import Actor
from booking.visits import visit_book
from businesses.models import BusinessMembership
from tests.factories import MembershipFactory, full_colour, make_appointment

MONDAY = date(2030, 3, 4)  # London is on GMT: local = UTC


def at(hour, minute=0):
    return datetime.combine(MONDAY, time(hour, minute), tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2030, 3, 1, 12, tzinfo=UTC), tick=False)


@pytest.fixture
def visit(salon, staff, services, dana):
    """Colour (developing from 10:30 to 11:00) with Ana at 10:00, then a cut with Ben at 11:30."""
    colour = full_colour(salon, *staff)
    return visit_book(
        business=salon,
        items=[(colour, staff[0]), (services[0], staff[1])],
        start=at(10),
        by=Actor.system(),
        customer=dana,
    )


def calendar(client, salon):
    return client.get(reverse("admin:frontdesk-calendar"), {"business": salon.pk, "date": MONDAY.isoformat()})


def panel(appointment):
    return reverse("admin:frontdesk-appointment", args=[appointment.pk])


def test_the_items_of_a_visit_are_linked_on_the_calendar(client, alice, salon, staff, services, dana, visit):
    colour_item, cut_item = visit.appointments.order_by("start")
    single = make_appointment(staff=staff[1], service=services[0], customer=dana, start=at(14))
    client.force_login(alice)
    html = calendar(client, salon).content.decode()
    summary = "Visit: 10:00 Full colour (Ana) → 11:30 Cut (Ben)"
    for item, place in ((colour_item, "1 of 2"), (cut_item, "2 of 2")):
        block = html[html.index(f'data-appointment="{item.pk}"') :][:600]
        assert f'data-visit="{visit.pk}"' in block and f'title="{summary}"' in block and f"Visit {place}" in block
    lone = html[html.index(f'data-appointment="{single.pk}"') :][:300]
    assert "data-visit" not in lone and "Visit " not in lone
    # the colour's block is in two parts, around its processing window, and the cut's in one
    assert html.count('class="block status-confirmed in-visit"') == 3


def test_one_query_more_for_visits_however_many(
    client, alice, salon, staff, services, dana, visit, django_assert_num_queries
):
    client.force_login(alice)
    calendar(client, salon)
    with django_assert_num_queries(19):  # the 18 of a day without visits, and the visits' items
        assert calendar(client, salon).status_code == 200
    visit_book(
        business=salon,
        items=[(services[0], staff[0]), (services[0], staff[1])],
        start=at(15),
        by=Actor.system(),
        customer=dana,
    )
    with django_assert_num_queries(19):
        assert calendar(client, salon).status_code == 200


def test_the_panel_lists_the_visit_and_cancels_one_item_or_all(client, bob, salon, staff, services, dana, visit):
    colour_item, cut_item = visit.appointments.order_by("start")
    client.force_login(bob)
    html = client.get(panel(cut_item)).content.decode()
    assert "Part of a visit" in html
    assert f'<a href="{panel(colour_item)}">10:00–11:30 Full colour with Ana</a>' in html
    assert '<strong aria-current="true">11:30–12:00 Cut with Ben</strong>' in html
    assert "Cancel the whole visit" in html

    client.post(panel(cut_item), {"action": "cancel", "reason": "Ben is ill"})  # the cut alone
    assert [a.status for a in visit.appointments.order_by("start")] == ["confirmed", "cancelled"]
    html = client.get(panel(colour_item)).content.decode()
    assert "11:30–12:00 Cut with Ben</a> (cancelled)" in html  # the panel still shows every item
    response = client.post(panel(colour_item), {"action": "cancel_visit", "visit-reason": "moving away"})
    assert response.status_code == 302
    assert [(a.status, a.cancel_reason) for a in visit.appointments.order_by("start")] == [
        ("cancelled", "moving away"),
        ("cancelled", "Ben is ill"),
    ]


def test_a_stylist_limited_to_their_column_sees_the_visit_but_cancels_only_their_item(
    client, salon, staff, services, dana, visit
):
    colour_item, cut_item = visit.appointments.order_by("start")
    user = MembershipFactory(business=salon, role=BusinessMembership.Role.STAFF, own_column_only=True).user
    staff[1].user = user
    staff[1].save()
    client.force_login(user)
    html = client.get(panel(cut_item)).content.decode()
    assert "10:00–11:30 Full colour with Ana" in html and panel(colour_item) not in html
    assert "Cancel the whole visit" not in html
    response = client.post(panel(cut_item), {"action": "cancel_visit"}, follow=True)
    assert "may cancel the whole visit" in response.content.decode()
    assert [a.status for a in visit.appointments.order_by("start")] == ["confirmed", "confirmed"]
    # Their own item cancelled, its panel still offers nothing over Ana's colour.
    client.post(panel(cut_item), {"action": "cancel", "reason": "ill"})
    html = client.get(panel(cut_item)).content.decode()
    assert "Cancel the whole visit" not in html
    client.post(panel(cut_item), {"action": "cancel_visit"})
    assert [a.status for a in visit.appointments.order_by("start")] == ["confirmed", "cancelled"]
