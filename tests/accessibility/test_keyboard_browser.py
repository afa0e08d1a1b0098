"""Keyboard only (issue 21): a customer books, reschedules and cancels in the portal and through
the widget with Tab, Shift+Tab, Enter, Space and the arrow keys in the day and time pickers; the
focus is always visible, each new step starts at its heading, and the widget's frame lets the
focus leave again."""

import re

import pytest
from playwright.sync_api import expect

from booking.demo import seed_demo_salon
from booking.models import Appointment
from businesses.models import Business
from tests.accessibility.keyboard import (
    arrow_to_day,
    arrow_to_time,
    assert_focus_visible,
    has_focus,
    sign_in_by_keyboard,
    tab_to,
)
from tests.browser import DESKTOP, fill_emailed_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Salon site</title></head>
<body><h1>Our salon</h1><p><a href="#prices">Our prices</a></p><div id="book"></div>
<p><a href="#contact">Contact us</a></p>
<script src="{app}/widget-embed.js"></script>
<script>BookingWidget.loadWidget("{business}", "book");</script></body></html>"""


@pytest.fixture
def demo(db):
    return seed_demo_salon(name="Demo", timezone_name="Europe/London", staff_count=3, max_advance_days=60)


@pytest.fixture
def keyboard_page(playwright_chromium):
    context = playwright_chromium.new_context(viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def reschedule_and_cancel_by_keyboard(page, appointment: Appointment) -> None:
    """On the appointment page: Reschedule (a day by arrows, a time by arrows in the radio group),
    then Cancel, all by keyboard."""
    first_start = appointment.start
    reschedule = page.get_by_role("link", name="Reschedule")
    tab_to(page, reschedule)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Move your appointment")).to_be_visible()
    arrow_to_day(page, page.locator("[data-picker=days]"), 3)  # again clear of the cancellation window
    page.keyboard.press("Enter")  # a page load, not in place
    page.wait_for_url(re.compile(r"date=\d{4}-\d\d-\d\d"))
    first_time = page.locator("input[name=start]").first
    tab_to(page, first_time)
    page.keyboard.press("ArrowDown")  # a radio group: the arrow moves and chooses
    page.keyboard.press("ArrowDown")
    chosen = page.locator("input[name=start]:checked")
    expect(chosen).to_be_focused()
    tab_to(page, page.get_by_role("button", name="Move to this time"))
    page.keyboard.press("Space")
    page.wait_for_selector("text=Your appointment has been moved.")
    appointment.refresh_from_db()
    assert appointment.start != first_start and appointment.sequence == 1

    cancel = page.get_by_role("link", name="Cancel")
    tab_to(page, cancel)
    page.keyboard.press("Enter")
    reason = page.get_by_label("Reason (optional)")
    tab_to(page, reason)
    page.keyboard.type("Plans changed")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Yes, cancel it")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Your appointment is cancelled.")
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"


def test_book_reschedule_and_cancel_in_the_portal_by_keyboard(live_server, demo, keyboard_page):
    page = keyboard_page
    page.goto(f"{live_server.url}/customer/portal?business={demo['business_id']}")
    tab_to(page, page.get_by_role("link", name="Book an appointment"))
    page.keyboard.press("Enter")

    tab_to(page, page.get_by_role("link", name=re.compile("Women's cut")))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="2. Choose who")).to_be_focused()
    tab_to(page, page.get_by_role("link", name="Anyone available"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="3. Choose a day and time")).to_be_focused()

    # Four days on (clear of notice and the cancellation window), loaded in place: the focus goes
    # to that day's heading, and Tab from there reaches its times.
    day = arrow_to_day(page, page.locator("[data-picker=days]"), 4)
    page.keyboard.press("Enter")
    expect(page.locator("[data-picker=days] [aria-current=true]")).to_contain_text(day)
    expect(page.locator("#times-heading")).to_be_focused()
    time = arrow_to_time(page, page.locator("[data-picker=times]"), 2)
    page.keyboard.press("Space")  # a link pressed with Space, as a button would be
    expect(page.get_by_role("heading", name="4. Confirm")).to_be_focused()
    expect(page.locator(".summary")).to_contain_text(time)

    tab_to(page, page.get_by_role("button", name="Sign in to confirm"))
    page.keyboard.press("Enter")
    sign_in_by_keyboard(page, "keys@example.com", first_name="Kim")
    notes = page.get_by_label("Anything the salon should know? (optional)")
    tab_to(page, notes)
    page.keyboard.type("By keyboard")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Confirm booking")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("You're booked!")  # announced, not only shown

    appointment = Appointment.objects.get(customer__email="keys@example.com")
    assert appointment.notes == "By keyboard"
    assert f"{appointment.start.astimezone(appointment.business.zone):%H:%M}" == time
    reschedule_and_cancel_by_keyboard(page, appointment)


def test_shift_tab_goes_back_through_the_same_controls(live_server, demo, keyboard_page):
    page = keyboard_page
    page.goto(f"{live_server.url}/customer/book-appointment?business={demo['business_id']}")
    first, second = page.locator(".choices a").nth(0), page.locator(".choices a").nth(1)
    tab_to(page, second)
    page.keyboard.press("Shift+Tab")
    expect(first).to_be_focused()
    assert_focus_visible(first)


def test_book_in_the_widget_by_keyboard_and_leave_its_frame(live_server, demo, keyboard_page, host_site):
    folder, host = host_site
    Business.objects.filter(pk=demo["business_id"]).update(embed_allowed_origins=[host])
    (folder / "index.html").write_text(HOST_PAGE.format(app=live_server.url, business=demo["business_id"]))
    page = keyboard_page
    page.goto(host)
    frame = page.frame_locator("#book iframe")
    before, after = page.get_by_role("link", name="Our prices"), page.get_by_role("link", name="Contact us")

    service = frame.get_by_role("button", name=re.compile("^Women's cut"))
    tab_to(page, before)
    tab_to(page, service)  # Tab goes from the host page into the widget
    page.keyboard.press("Enter")
    expect(frame.get_by_role("heading", name="Who would you like?")).to_be_focused()
    tab_to(page, frame.get_by_role("button", name="Anyone available"))
    page.keyboard.press("Space")
    expect(frame.get_by_role("heading", name="Choose a time")).to_be_focused()

    day = arrow_to_day(page, frame.locator("[data-picker=days]"), 4)
    page.keyboard.press("Enter")
    expect(frame.locator("#times-heading")).to_be_focused()
    expect(frame.locator("[data-picker=days] [aria-pressed=true]")).to_contain_text(day)
    time = arrow_to_time(page, frame.locator("[data-picker=times]"), 1)
    page.keyboard.press("Enter")

    expect(frame.get_by_role("heading", name="Your details")).to_be_focused()
    tab_to(page, frame.get_by_label("Email or mobile number"))
    page.keyboard.type("widget-keys@example.com")
    page.keyboard.press("Enter")
    code = frame.get_by_label("Code", exact=True)
    code.wait_for()
    tab_to(page, code)
    fill_emailed_code(frame)
    page.keyboard.press("Enter")
    tab_to(page, frame.get_by_role("button", name="Confirm booking"))
    page.keyboard.press("Space")
    expect(frame.get_by_role("heading", name="You're booked!")).to_be_focused()
    appointment = Appointment.objects.get(customer__email="widget-keys@example.com")
    assert f"{appointment.start.astimezone(appointment.business.zone):%H:%M}" == time

    # No keyboard trap: Tab leaves the frame for the host page, Shift+Tab comes back in.
    manage = frame.get_by_role("link", name=re.compile("Change or cancel this booking"))
    tab_to(page, after)
    tab_to(page, manage, backwards=True)
    assert not has_focus(after)

    # Changes happen on the salon's booking site, in a new tab, signed in by the same code.
    with page.context.expect_page() as opened:
        page.keyboard.press("Enter")
    portal = opened.value
    portal.wait_for_load_state()
    sign_in_by_keyboard(portal, "widget-keys@example.com", first_name="Kim")  # the widget asked for no name
    expect(portal.get_by_role("heading", name="Women's cut & finish")).to_be_visible()
    reschedule_and_cancel_by_keyboard(portal, appointment)
