"""axe-core (WCAG 2.x A and AA) on every customer page, the widget in a host page and the
front desk calendar, in headless Chromium (issue 21), and every customer page without sideways
scrolling at 320 px (400 % zoom). No axe rule is excluded."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from booking.demo import seed_demo_salon
from booking.models import Appointment
from businesses.models import Business
from tests.browser import (
    DESKTOP,
    NARROW,
    assert_accessible,
    assert_reflows,
    axe_violations,
    fill_emailed_code,
    sign_in_to_the_admin,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Salon site</title></head>
<body><main><h1>Our salon</h1><div id="book"></div></main>
<script src="{app}/widget-embed.js"></script>
<script>BookingWidget.loadWidget("{business}", "book");</script></body></html>"""


@pytest.fixture
def demo(db):
    return seed_demo_salon(name="Demo", timezone_name="Europe/London", staff_count=3, max_advance_days=60)


@pytest.mark.parametrize(("viewport", "label"), [(NARROW, "narrow"), (DESKTOP, "desktop")])
def test_every_portal_page_passes_axe(live_server, playwright_chromium, demo, viewport, label):
    context = playwright_chromium.new_context(viewport=viewport, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()

    def check(name: str) -> None:
        assert_accessible(page, name)
        if viewport is NARROW:
            assert_reflows(page, name)

    page.goto(f"{live_server.url}/customer/portal?business={demo['business_id']}")
    check("salon page")
    page.get_by_role("link", name="Book an appointment").click()
    page.wait_for_url(re.compile("book"))
    check("service step")
    page.get_by_role("link", name=re.compile("Women's cut")).click()
    page.get_by_role("link", name="Anyone available").wait_for()
    check("stylist step")
    page.get_by_role("link", name="Anyone available").click()
    page.locator("a.time").first.wait_for()
    check("time step")
    page.locator("a.day").nth(4).click()  # clear of notice and of the cancellation window
    page.locator('#booking[aria-busy="false"] a.day[aria-current="true"]').wait_for()
    page.locator("a.time").first.click()
    page.get_by_role("button", name="Sign in to confirm").wait_for()
    check("confirm step")
    page.get_by_role("button", name="Sign in to confirm").click()

    page.get_by_label("Email or mobile number").wait_for()
    check("sign-in page")
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_role("alert").wait_for()
    expect(page.get_by_label("Email or mobile number")).to_have_accessible_description(
        "Enter your email address or phone number."
    )
    check("sign-in page with an error")
    page.get_by_label("Email or mobile number").fill(f"axe-{label}@example.com")
    page.get_by_role("button", name="Send me a code").click()
    fill_emailed_code(page)
    check("sign-in code page")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("First name").wait_for()
    check("name step")
    page.get_by_label("First name").fill("Robin")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Confirm booking").wait_for()
    check("notes step")
    page.get_by_role("button", name="Confirm booking").click()
    page.wait_for_selector("text=You're booked!")
    check("booked page")

    appointment = Appointment.objects.get(customer__email=f"axe-{label}@example.com")
    for path, name in [
        (f"/customer/appointments/{appointment.pk}/reschedule", "reschedule page"),
        (f"/customer/appointments/{appointment.pk}/cancel", "cancel page"),
        ("/customer/appointment-history", "history"),
        ("/customer/account", "account"),
        ("/customer/waitlist", "waitlist"),
        (f"/customer/waitlist/join?business={demo['business_id']}", "waitlist join"),
        ("/customer/portal", "salons"),
        ("/customer/logout", "sign-out page"),
    ]:
        page.goto(f"{live_server.url}{path}")
        check(name)
    page.goto(f"{live_server.url}/customer/appointments/{appointment.pk}/reschedule")
    page.locator("a.day").nth(3).click()
    page.locator("input[name=start]").first.wait_for()
    check("reschedule page with a day's times")
    page.goto(f"{live_server.url}/customer/account")
    page.get_by_label("New mobile number (with country code)").fill("12")
    page.get_by_role("button", name="Send a code").nth(1).click()
    page.get_by_role("alert").wait_for()
    expect(page.get_by_label("New mobile number (with country code)")).to_have_accessible_description(
        re.compile("Enter a valid phone number")
    )
    check("account page with an error")
    page.goto(f"{live_server.url}/customer/appointments/{appointment.pk}/cancel")
    page.get_by_role("button", name="Yes, cancel it").click()
    page.wait_for_selector("text=Your appointment is cancelled.")
    check("cancelled page")
    context.close()


@pytest.mark.parametrize(("viewport", "label"), [(NARROW, "narrow"), (DESKTOP, "desktop")])
def test_the_widget_in_a_host_page_passes_axe(live_server, playwright_chromium, demo, host_site, viewport, label):
    folder, host = host_site
    Business.objects.filter(pk=demo["business_id"]).update(embed_allowed_origins=[host])
    (folder / "index.html").write_text(HOST_PAGE.format(app=live_server.url, business=demo["business_id"]))
    context = playwright_chromium.new_context(viewport=viewport, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(host)
    widget = page.frame_locator("#book iframe")
    frame = page.frame_locator("#book iframe").owner.element_handle().content_frame()

    def check(name: str) -> None:
        assert_accessible(frame, f"widget: {name}")
        if viewport is NARROW:
            assert_reflows(frame, f"widget: {name}")

    widget.get_by_role("button", name=re.compile("^Women's cut")).wait_for()
    expect(page.locator("#book iframe")).to_have_attribute("title", "Book an appointment")
    assert_accessible(page, "host page with the widget")
    check("services")
    widget.get_by_role("button", name=re.compile("^Women's cut")).click()
    widget.get_by_role("button", name="Anyone available").click()
    widget.locator("button.time").first.wait_for()
    check("days and times")
    widget.get_by_role("button", name="Join the waitlist").click()
    widget.get_by_label("From").wait_for()
    check("waitlist")
    widget.get_by_role("button", name="Back").click()
    widget.locator("button.day:enabled").nth(4).click()
    widget.locator('#step[aria-busy="false"] button.day[aria-pressed="true"]').wait_for()
    widget.locator("button.time").first.click()
    widget.get_by_label("Email or mobile number").wait_for()
    check("details")
    widget.get_by_role("button", name="Send me a code").click()
    widget.get_by_role("alert").wait_for()
    check("details with an error")
    widget.get_by_label("Email or mobile number").fill(f"widget-axe-{label}@example.com")
    widget.get_by_role("button", name="Send me a code").click()
    fill_emailed_code(widget)
    check("code")
    widget.get_by_role("button", name="Continue").click()
    widget.get_by_role("button", name="Confirm booking").wait_for()
    check("confirm")
    widget.get_by_role("button", name="Confirm booking").click()
    widget.get_by_role("heading", name="You're booked!").wait_for()
    check("booked")
    context.close()


def test_the_front_desk_calendar_passes_axe(live_server, playwright_chromium, demo):
    context = playwright_chromium.new_context(viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in_to_the_admin(page, live_server.url, demo["owner_email"], demo["owner_password"])
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())  # the demo salon is open
    page.goto(f"{live_server.url}/admin/calendar/?business={demo['business_id']}&date={monday}")
    page.wait_for_selector("table.calendar")
    assert_accessible(page, "calendar: day")
    page.get_by_role("link", name="Week", exact=True).click()
    page.wait_for_selector("table.team-load")
    assert_accessible(page, "calendar: the team's week")
    stylist = demo["staff"][0]["id"]
    page.goto(
        f"{live_server.url}/admin/calendar/?business={demo['business_id']}&date={monday}&view=week&staff={stylist}"
    )
    page.wait_for_selector("table.calendar-week")
    assert_accessible(page, "calendar: a stylist's week")
    context.close()


def test_axe_finds_what_it_should(live_server, playwright_chromium):
    """The check itself works: a page with an unlabelled field and low contrast fails it."""
    page = playwright_chromium.new_page()
    page.set_content(
        '<html lang="en"><title>t</title><main><input><p style="color:#bbb;background:#fff">faint</p></main></html>'
    )
    found = " ".join(axe_violations(page))
    assert "label" in found and "color-contrast" in found
    page.close()


def test_the_reflow_check_finds_a_page_too_wide(live_server, playwright_chromium):
    page = playwright_chromium.new_page(viewport=NARROW)
    page.set_content('<html lang="en"><title>t</title><main><div style="width:600px">wide</div></main></html>')
    with pytest.raises(AssertionError, match="wider than the viewport"):
        assert_reflows(page, "a wide page")
    page.close()


def test_choices_move_only_for_those_who_do_not_ask_for_less_motion(live_server, playwright_chromium, demo):
    page = playwright_chromium.new_page()
    url = f"{live_server.url}/customer/book-appointment?business={demo['business_id']}"
    duration = "() => getComputedStyle(document.querySelector('.choices a')).transitionDuration"
    page.emulate_media(reduced_motion="no-preference")
    page.goto(url)
    assert page.evaluate(duration) != "0s"
    page.emulate_media(reduced_motion="reduce")
    page.goto(url)
    assert page.evaluate(duration) == "0s"
    page.close()
