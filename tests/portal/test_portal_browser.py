"""A new customer books the demo salon end to end in headless Chromium, phone and desktop sized."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from booking.demo import seed_demo_salon
from booking.models import Appointment, Visit
from tests.browser import DESKTOP, PHONE, fill_emailed_code, screenshot
from tests.factories import full_colour

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
    page.locator(f'#booking[aria-busy="false"] a.day[aria-current="true"][href*="date={day}"]').wait_for()
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


def test_book_a_visit_of_two_services_with_two_stylists(live_server, playwright_chromium, salon, staff, services):
    """Colour (developing for half an hour) with Ana, then a cut with Ben, as one visit."""
    ana, ben = staff
    full_colour(salon, *staff)
    context = playwright_chromium.new_context(viewport=PHONE, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/customer/book-appointment?business={salon.pk}")
    page.get_by_role("link", name=re.compile("Full colour")).click()
    page.get_by_role("link", name="Ana").click()
    page.get_by_role("link", name="Add another service").click()
    page.get_by_role("heading", name="Add another service").wait_for()
    page.get_by_role("link", name=re.compile("^Cut")).click()
    page.get_by_role("heading", name="Who for the Cut?").wait_for()
    page.get_by_role("link", name="Ben").click()
    day = date_of(page.locator("a.day").nth(2))
    page.locator("a.day").nth(2).click()
    page.locator(f'#booking[aria-busy="false"] a.day[aria-current="true"][href*="date={day}"]').wait_for()
    page.locator("a.time").first.click()
    items = page.get_by_role("table", name="Your visit")
    expect(items).to_contain_text("Full colour")
    expect(items).to_contain_text("Ben")
    screenshot(page, "book-visit-confirm-phone")
    page.get_by_role("button", name="Sign in to confirm").click()

    page.get_by_label("Email or mobile number").fill("visit-browser@example.com")
    page.get_by_role("button", name="Send me a code").click()
    fill_emailed_code(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("First name").fill("Vic")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Confirm booking").click()
    page.wait_for_selector("text=You're booked!")
    screenshot(page, "book-visit-done-phone")

    visit = Visit.objects.get(customer__email="visit-browser@example.com")
    colour_item, cut_item = visit.appointments.order_by("start")
    assert (colour_item.staff, cut_item.staff, cut_item.start) == (ana, ben, colour_item.end)
    zone = salon.zone
    row = f"{colour_item.start.astimezone(zone):%H:%M}–{colour_item.end.astimezone(zone):%H:%M}"
    expect(page.get_by_role("row", name=re.compile(f"{row} Full colour Ana"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Cut Ben"))).to_be_visible()

    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("button", name="Yes, cancel it").click()
    page.wait_for_url(re.compile("/customer/appointment-history"))
    assert set(visit.appointments.values_list("status", flat=True)) == {"cancelled"}
    context.close()


def test_a_cancelled_time_goes_to_the_waitlisted_customer_who_books_it_from_the_email(
    live_server, playwright_chromium, salon, staff, services
):
    """Issue 20's "done when": the e-mailed offer's link books the freed time in one click."""
    from datetime import datetime, time, timedelta

    from django.core import mail
    from django.utils import timezone

    from booking.services import Actor, appointment_cancel
    from booking.waitlist import Window, waitlist_join
    from tests.factories import CustomerFactory, make_appointment

    cut = services[0]
    day = timezone.localdate(timezone=salon.zone) + timedelta(days=3)
    day += timedelta(days=1) if day.weekday() == 6 else timedelta(0)  # closed on Sundays
    booked = [
        make_appointment(
            staff=staff[0],
            service=cut,
            customer=CustomerFactory(),
            start=datetime.combine(day, time(9), tzinfo=salon.zone) + timedelta(minutes=30 * n),
        )
        for n in range(18)
    ]
    waiting = CustomerFactory(email="waiting@example.com")
    waitlist_join(
        customer=waiting, business=salon, service=cut, staff=staff[0], windows=[Window(from_date=day, to_date=day)]
    )
    assert not mail.outbox  # the day is full: nothing to offer yet
    appointment_cancel(appointment=booked[3], by=Actor.system())  # 10:30 frees up
    (offer_mail,) = [m for m in mail.outbox if m.to == ["waiting@example.com"]]
    link = re.search(r"(https?://\S+/customer/waitlist/offers/\S+)", offer_mail.body).group(1)
    path = urlsplit(link).path

    page = playwright_chromium.new_context(viewport=PHONE, locale="en-GB").new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", name="A time for you")).to_be_visible()
    expect(page.get_by_text("10:30")).to_be_visible()
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", name="You're booked!")).to_be_visible()
    screenshot(page, "waitlist-offer-booked-phone")
    appointment = Appointment.objects.get(customer=waiting)
    assert (appointment.start, appointment.staff) == (booked[3].start, staff[0])
