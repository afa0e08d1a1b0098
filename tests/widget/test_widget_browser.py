"""The widget embedded cross-site, with third-party cookies blocked, in headless Chromium.

The host page is served from http://127.0.0.1:<port> and embeds the widget from the live
server at http://localhost:<port>: two different sites.
"""

import json
import re

import pytest
from playwright.sync_api import expect

from booking.models import Appointment, SlotHold, Visit, WaitlistEntry
from tests.browser import CHROMIUM_ARGS, fill_emailed_code, screenshot
from tests.factories import full_colour

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.widget.urls")]

HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Salon site</title></head>
<body><h1>Our salon</h1><div id="book"></div>
<script src="{app}/widget-embed.js"></script>
<script>
  window.events = [];
  var box = document.getElementById("book");
  ["ready", "resize", "booked", "error"].forEach(function (type) {{
    box.addEventListener("chairtime:" + type, function (event) {{ window.events.push(event.detail); }});
  }});
  BookingWidget.loadWidget("{business}", "book");
  BookingWidget.loadWidget("{business}", "book");  // a second call adds no second iframe
</script></body></html>"""


@pytest.fixture
def chromium_blocking_third_party_cookies(playwright_session, tmp_path):
    playwright, path = playwright_session
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(
        json.dumps({"profile": {"cookie_controls_mode": 1, "block_third_party_cookies": True}})
    )
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=path, headless=True, args=CHROMIUM_ARGS, viewport={"width": 900, "height": 900}
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


def test_booking_through_the_embedded_widget(
    live_server, salon, staff, services, host_site, chromium_blocking_third_party_cookies
):
    folder, host = host_site
    salon.embed_allowed_origins = [host]
    salon.save()
    (folder / "index.html").write_text(HOST_PAGE.format(app=live_server.url, business=salon.pk))
    context = chromium_blocking_third_party_cookies

    # First-party, the app's cookies work...
    first_party = context.new_page()
    first_party.goto(f"{live_server.url}/test/cookies?set=firstparty")
    first_party.goto(f"{live_server.url}/test/cookies")
    assert "firstparty" in first_party.content()

    page = context.new_page()
    page.goto(host)
    frame_element = page.wait_for_selector("#book iframe")
    assert page.locator("#book iframe").count() == 1
    frame = frame_element.content_frame()
    frame.wait_for_selector("text=Choose a service")
    page.wait_for_function("window.events.some(e => e.type === 'ready')")

    # ...but inside the cross-site iframe no cookie comes back: blocking is really on.
    echoed = frame.evaluate(
        "async () => { document.cookie = 'probe=1; path=/';"
        " return (await (await fetch('/test/cookies', {credentials: 'include'})).json()).cookies; }"
    )
    assert "firstparty" not in echoed and "probe" not in echoed

    frame.get_by_role("button", name=re.compile("^Cut")).click()
    frame.get_by_role("button", name="Anyone available").click()
    # Wait for the chosen day's times: until they arrive, the previous day's buttons match too.
    day = frame.locator("button.day:enabled").nth(2).text_content()
    frame.locator("button.day:enabled").nth(2).click()
    frame.locator('#step[aria-busy="false"] button.day[aria-pressed="true"]', has_text=day).wait_for()
    frame.locator("button.time").first.click()
    frame.get_by_label("Email or mobile number").fill("widget-customer@example.com")
    frame.get_by_label("First name").fill("Wid")
    frame.get_by_role("button", name="Send me a code").click()
    fill_emailed_code(frame)
    frame.get_by_role("button", name="Continue").click()
    frame.get_by_role("button", name="Confirm booking").click()
    frame.wait_for_selector("text=You're booked!")
    screenshot(page, "widget-booked")

    page.wait_for_function("window.events.some(e => e.type === 'booked')")
    events = page.evaluate("window.events")
    booked = next(e for e in events if e["type"] == "booked")
    assert booked["source"] == "chairtime" and booked["v"] == 1
    appointment = Appointment.objects.get(pk=booked["appointment"]["id"])
    assert appointment.source == "widget" and appointment.customer.email == "widget-customer@example.com"
    assert booked["appointment"]["start"] == appointment.start.astimezone(salon.zone).isoformat()

    # The iframe's height follows the widget's resize messages.
    heights = [e["height"] for e in events if e["type"] == "resize"]
    assert len(heights) >= 2
    page.wait_for_function(
        "h => Math.abs(document.querySelector('#book iframe').getBoundingClientRect().height - h) <= 1",
        arg=page.evaluate("window.events.filter(e => e.type === 'resize').pop().height"),
    )

    # Messages from anything but the widget's own frame are ignored.
    page.evaluate(
        """() => {
          window.postMessage({source: 'chairtime', v: 1, type: 'booked', appointment: {id: 'forged'}}, '*');
          const other = document.createElement('iframe');
          const forged = "{source: 'chairtime', v: 1, type: 'booked', appointment: {id: 'forged'}}";
          other.srcdoc = "<script>parent.postMessage(" + forged + ", '*')<\\/script>";
          document.body.appendChild(other);
        }"""
    )
    page.wait_for_timeout(500)
    assert [e["appointment"]["id"] for e in page.evaluate("window.events") if e["type"] == "booked"] == [
        str(appointment.pk)
    ]


def test_a_host_not_in_the_list_may_not_frame_the_widget(
    live_server, salon, staff, services, host_site, chromium_blocking_third_party_cookies
):
    folder, host = host_site
    salon.embed_allowed_origins = ["https://the-real-salon.example"]
    salon.save()
    (folder / "index.html").write_text(HOST_PAGE.format(app=live_server.url, business=salon.pk))
    page = chromium_blocking_third_party_cookies.new_page()
    page.goto(host)
    frame = page.wait_for_selector("#book iframe").content_frame()
    page.wait_for_timeout(1500)
    assert frame.locator("#widget").count() == 0  # refused by frame-ancestors
    assert not page.evaluate("window.events.some(e => e.type === 'ready')")


def test_console_errors_for_a_missing_container_or_a_bad_id(
    live_server, host_site, chromium_blocking_third_party_cookies
):
    folder, host = host_site
    (folder / "index.html").write_text(
        f'<script src="{live_server.url}/widget-embed.js"></script>'
        '<div id="box"></div><script>BookingWidget.loadWidget("x", "box"); '
        'BookingWidget.loadWidget("00000000-0000-0000-0000-000000000000", "nowhere");</script>'
    )
    page = chromium_blocking_third_party_cookies.new_page()
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(host)
    page.wait_for_timeout(300)
    assert any("is not a business id" in m for m in messages)
    assert any('no element with id "nowhere"' in m for m in messages)
    assert page.locator("iframe").count() == 0


def test_a_visit_of_two_services_with_two_stylists_through_the_widget(
    live_server, salon, staff, services, host_site, chromium_blocking_third_party_cookies
):
    """Colour (developing for half an hour) with Ana, then a cut with Ben, as one visit."""
    ana, ben = staff
    colour = full_colour(salon, *staff)
    folder, host = host_site
    salon.embed_allowed_origins = [host]
    salon.save()
    (folder / "index.html").write_text(HOST_PAGE.format(app=live_server.url, business=salon.pk))
    page = chromium_blocking_third_party_cookies.new_page()
    page.goto(host)
    frame = page.wait_for_selector("#book iframe").content_frame()

    frame.get_by_role("button", name=re.compile("^Full colour")).click()
    frame.get_by_role("button", name="Ana").click()
    frame.get_by_role("button", name="Add another service").click()
    frame.get_by_role("heading", name="Add another service").wait_for()
    frame.get_by_role("button", name=re.compile("^Cut")).click()
    frame.get_by_role("heading", name="Who for the Cut?").wait_for()
    frame.get_by_role("button", name="Ben").click()
    expect(frame.get_by_role("list", name="Your services")).to_contain_text("Full colour with Ana")
    expect(frame.get_by_role("list", name="Your services")).to_contain_text("Cut with Ben")
    day = frame.locator("button.day:enabled").nth(2).text_content()
    frame.locator("button.day:enabled").nth(2).click()
    frame.locator('#step[aria-busy="false"] button.day[aria-pressed="true"]', has_text=day).wait_for()
    frame.locator("button.time").first.click()
    expect(frame.locator(".summary-line")).to_contain_text("Full colour + Cut")
    frame.get_by_label("Email or mobile number").fill("visit-customer@example.com")
    frame.get_by_role("button", name="Send me a code").click()
    fill_emailed_code(frame)
    frame.get_by_role("button", name="Continue").click()
    frame.get_by_role("button", name="Confirm booking").click()
    frame.wait_for_selector("text=You're booked!")
    screenshot(page, "widget-visit-booked")

    visit = Visit.objects.get(customer__email="visit-customer@example.com")
    colour_item, cut_item = visit.appointments.order_by("start")
    assert (colour_item.service, colour_item.staff, cut_item.service, cut_item.staff) == (
        colour,
        ana,
        services[0],
        ben,
    )
    assert cut_item.start == colour_item.end and {colour_item.source, cut_item.source} == {"widget"}
    local = colour_item.start.astimezone(salon.zone)
    done = frame.get_by_role("list", name="Your visit")
    expect(done).to_contain_text(f"{local:%H:%M}–{colour_item.end.astimezone(salon.zone):%H:%M} Full colour with Ana")
    expect(done).to_contain_text("Cut with Ben")

    page.wait_for_function("window.events.some(e => e.type === 'booked')")
    booked = next(e for e in page.evaluate("window.events") if e["type"] == "booked")
    assert booked["appointment"]["id"] == str(colour_item.pk)
    assert booked["visit"]["id"] == str(visit.pk)
    assert [a["id"] for a in booked["visit"]["appointments"]] == [str(colour_item.pk), str(cut_item.pk)]


def test_a_time_chosen_in_the_widget_is_held_while_the_customer_signs_in(
    live_server, salon, staff, services, host_site, chromium_blocking_third_party_cookies
):
    """Issue 20: the chosen time leaves another browser's widget until it is booked."""
    folder, host = host_site
    salon.embed_allowed_origins = [host]
    salon.save()
    (folder / "index.html").write_text(HOST_PAGE.format(app=live_server.url, business=salon.pk))

    def widget_at_anas_times():
        page = chromium_blocking_third_party_cookies.new_page()
        page.goto(host)
        frame = page.wait_for_selector("#book iframe").content_frame()
        frame.get_by_role("button", name=re.compile("^Cut")).click()
        frame.get_by_role("button", name="Ana").click()
        day = frame.locator("button.day:enabled").nth(1).text_content()
        frame.locator("button.day:enabled").nth(1).click()
        frame.locator('#step[aria-busy="false"] button.day[aria-pressed="true"]', has_text=day).wait_for()
        return frame

    holder = widget_at_anas_times()
    chosen = holder.locator("button.time").first.inner_text().split()[-1]  # after the day (for screen readers)
    holder.locator("button.time").first.click()
    expect(holder.locator(".held")).to_contain_text("We're keeping this time for you until")
    held = SlotHold.objects.get()
    assert held.staff == staff[0] and f"{held.start.astimezone(salon.zone):%H:%M}" == chosen

    other = widget_at_anas_times()  # a second customer, in another tab: the held time is not offered
    expect(other.locator("button.time").first).not_to_have_text(re.compile(f"{chosen}$"))
    assert chosen not in [text.split()[-1] for text in other.locator("button.time").all_inner_texts()]

    holder.get_by_label("Email or mobile number").fill("holder@example.com")
    holder.get_by_role("button", name="Send me a code").click()
    fill_emailed_code(holder)
    holder.get_by_role("button", name="Continue").click()
    holder.get_by_role("button", name="Confirm booking").click()
    holder.wait_for_selector("text=You're booked!")
    appointment = Appointment.objects.get()
    assert (appointment.staff, appointment.start, appointment.customer.email) == (
        staff[0],
        held.start,
        "holder@example.com",
    )
    assert not SlotHold.objects.exists()  # spent by the booking


def test_a_customer_joins_the_waitlist_from_the_widget(
    live_server, salon, staff, services, host_site, chromium_blocking_third_party_cookies
):
    folder, host = host_site
    salon.embed_allowed_origins = [host]
    salon.save()
    (folder / "index.html").write_text(HOST_PAGE.format(app=live_server.url, business=salon.pk))
    page = chromium_blocking_third_party_cookies.new_page()
    page.goto(host)
    frame = page.wait_for_selector("#book iframe").content_frame()
    frame.get_by_role("button", name=re.compile("^Cut")).click()
    frame.get_by_role("button", name="Ana").click()
    frame.get_by_role("button", name="Join the waitlist").click()
    frame.get_by_label("Not before (optional)").fill("17:45")  # a cut then would end after closing
    frame.get_by_role("button", name="Join the waitlist").click()
    frame.get_by_label("Email or mobile number").fill("waiting@example.com")
    frame.get_by_role("button", name="Send me a code").click()
    fill_emailed_code(frame)
    frame.get_by_role("button", name="Continue").click()
    expect(frame.get_by_role("heading", name="You're on the waitlist")).to_be_visible()
    entry = WaitlistEntry.objects.get()
    assert (entry.customer.email, entry.service, entry.staff) == ("waiting@example.com", services[0], staff[0])
    assert entry.windows[0]["from_time"] == "17:45"
    assert not entry.offers.exists()
