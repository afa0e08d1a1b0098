"""A new customer books the demo salon end to end in headless Chromium, phone and desktop sized."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from booking.demo import seed_demo_salon
from booking.models import Appointment
from tests.browser import DESKTOP, PHONE, fill_emailed_code, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def date_of(day_link) -> str:
    return parse_qs(urlsplit(day_link.get_attribute("href")).query)["date"][0]


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_book_reschedule_and_cancel_in_a_browser(live_server, playwright_chromium, viewport, label):
    salon = seed_demo_salon(name="Demo", timezone_name="Europe/London", staff_count=3, max_advance_days=60)
    context = playwright_chromium.new_context(viewport=viewport, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/customer/portal?business={salon['business_id']}")
    screenshot(page, f"portal-salon-{label}")
    page.get_by_role("link", name="Book an appointment").click()

    page.get_by_role("link", name=re.compile("Women's cut")).click()
    page.get_by_role("link", name="Anyone available").click()
    # A few days out: clear of notice and of the cancellation window. Wait for that day's
    # times (the previous day's links match "a.time" too, until the new step arrives).
    day = date_of(page.locator("a.day").nth(2))
    page.locator("a.day").nth(2).click()
    page.locator(f'#booking[aria-busy="false"] a.day[aria-current="date"][href*="date={day}"]').wait_for()
    screenshot(page, f"book-times-{label}")
    page.locator("a.time").first.click()
    page.get_by_role("button", name="Sign in to confirm").click()

    page.get_by_label("Email or mobile number").fill(f"browser-{label}@example.com")
    page.get_by_role("button", name="Send me a code").click()
    fill_emailed_code(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("First name").fill("Robin")
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("Anything the salon should know? (optional)").fill("First visit")
    page.get_by_role("button", name="Confirm booking").click()
    page.wait_for_selector("text=You're booked!")
    screenshot(page, f"book-done-{label}")
    appointment = Appointment.objects.get(customer__email=f"browser-{label}@example.com")
    assert (appointment.source, appointment.notes, appointment.status) == ("portal", "First visit", "confirmed")
    first_start = appointment.start

    page.get_by_role("link", name="All your appointments").click()
    page.wait_for_url(re.compile("/customer/appointment-history"))
    expect(page.locator("ul.appointments li.card")).to_have_count(1)
    screenshot(page, f"history-{label}")
    page.get_by_role("link", name="Reschedule").first.click()
    day = date_of(page.locator("a.day").nth(3))  # again clear of the cancellation window
    page.locator("a.day").nth(3).click()  # a page load, not in place
    page.wait_for_url(re.compile(f"date={day}"))
    page.locator("label.time").nth(2).click()
    page.get_by_role("button", name="Move to this time").click()
    page.wait_for_selector("text=Your appointment has been moved.")
    appointment.refresh_from_db()
    assert appointment.start != first_start and appointment.sequence == 1

    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("button", name="Yes, cancel it").click()
    page.wait_for_selector("text=Your appointment is cancelled.")
    screenshot(page, f"cancelled-{label}")
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    context.close()
