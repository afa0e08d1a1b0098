"""On the front desk calendar, pointing at one item of a visit outlines all of its items."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from booking.services import Actor
from booking.visits import visit_book
from tests.browser import DESKTOP, screenshot
from tests.factories import full_colour

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hovering_or_focusing_a_visit_item_outlines_every_item(
    live_server, playwright_chromium, alice, salon, staff, services, dana
):
    today = timezone.localdate(timezone.now(), salon.zone)
    monday = today + timedelta(days=7 - today.weekday())
    colour = full_colour(salon, *staff)
    start = datetime.combine(monday, time(10), tzinfo=salon.zone).astimezone(UTC)
    visit = visit_book(
        business=salon,
        items=[(colour, staff[0]), (services[0], staff[1])],
        start=start,
        by=Actor.system(),
        customer=dana,
    )
    cut_item = visit.appointments.order_by("start").last()
    client = Client()
    client.force_login(alice)
    context = playwright_chromium.new_context(viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/calendar/?business={salon.pk}&date={monday.isoformat()}")

    items = page.locator(f'td[data-visit="{visit.pk}"]')
    expect(items).to_have_count(3)  # the colour around its processing window, and the cut
    cut = page.locator(f'td[data-appointment="{cut_item.pk}"]')
    expect(cut).to_contain_text("Visit 2 of 2")
    items.first.hover()
    expect(page.locator("td.visit-highlight")).to_have_count(3)
    screenshot(page, "calendar-visit-highlighted")
    page.mouse.move(0, 0)
    expect(page.locator("td.visit-highlight")).to_have_count(0)
    cut.locator("a").focus()
    expect(page.locator("td.visit-highlight")).to_have_count(3)
    context.close()
