"""A salon owner runs a working day from the admin's calendar, in headless Chromium."""

import re
import zoneinfo
from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from booking.demo import seed_demo_salon
from booking.models import Appointment
from businesses.models import Business, OpeningHours, TimeOff, WorkingHours
from tests.browser import screenshot, sign_in_to_the_admin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 1024, "height": 768}
WIDE = {"width": 1440, "height": 900}
# Zones about three hours apart: one of them is always in the middle of a working day.
ZONES = [
    "Pacific/Honolulu",
    "America/Los_Angeles",
    "America/Chicago",
    "America/Sao_Paulo",
    "Atlantic/Azores",
    "Europe/London",
    "Europe/Moscow",
    "Asia/Dhaka",
    "Asia/Tokyo",
    "Pacific/Noumea",
]


def zone_in_working_hours() -> str:
    now = timezone.now()
    for name in ZONES:
        if 10 <= now.astimezone(zoneinfo.ZoneInfo(name)).hour < 14:
            return name
    raise AssertionError("no zone in working hours")  # the list covers every hour of the day


def open_today(business: Business) -> None:
    """The demo salon works Monday to Saturday: on a Sunday it opens for this test."""
    weekday = timezone.localdate(timezone.now(), business.zone).weekday()
    if not OpeningHours.objects.filter(business=business, weekday=weekday).exists():
        OpeningHours.objects.create(business=business, weekday=weekday, start=time(9), end=time(18))
        for member in business.staff.all():
            WorkingHours.objects.create(staff=member, weekday=weekday, start=time(9), end=time(18))


@pytest.mark.parametrize(("viewport", "label"), [(TABLET, "tablet"), (WIDE, "desktop")])
def test_a_working_day_at_the_front_desk(live_server, playwright_chromium, viewport, label):
    demo = seed_demo_salon(name="Demo", timezone_name=zone_in_working_hours(), staff_count=3, max_advance_days=60)
    business = Business.objects.get(pk=demo["business_id"])
    open_today(business)
    # The first stylist works all day, every open day (demo shape 0): the walk-in goes to them.
    stylist = business.staff.order_by("position").first()
    WorkingHours.objects.filter(staff=stylist).delete()
    for weekday in range(7):
        WorkingHours.objects.create(staff=stylist, weekday=weekday, start=time(9), end=time(18))
    # Clear the stylist's day from now on so that the walk-in starts this minute.
    now = timezone.now()
    Appointment.objects.filter(
        staff=stylist, end__gt=now - timedelta(hours=2), start__lt=now + timedelta(hours=3)
    ).update(status="cancelled")
    TimeOff.objects.filter(staff=stylist).delete()

    context = playwright_chromium.new_context(viewport=viewport, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in_to_the_admin(page, live_server.url, demo["owner_email"], demo["owner_password"])
    expect(page.get_by_role("heading", name=re.compile("Front desk"))).to_be_visible()
    expect(page.locator("#site-name")).to_contain_text("Chairtime · Demo")

    # Today's calendar, first link of the index.
    page.locator("#content-main").get_by_role("link", name="Calendar").first.click()
    page.wait_for_selector("table.calendar")
    expect(page.locator("p.zone")).to_have_text(f"Times in {business.timezone}")
    expect(page.locator("tr.now")).to_have_count(1)
    screenshot(page, f"front-desk-calendar-{label}")

    # A walk-in from the empty cell of the first stylist in the row of "now": name and phone only.
    assert page.locator("thead th[data-column]").first.get_attribute("data-column") == str(stylist.pk)
    page.locator("tr.now td").first.locator("a").click()  # the first column's cell at this time
    page.get_by_label("Service").select_option(label="Men's cut")
    page.get_by_label("First name").fill("Walker")
    page.get_by_label("Phone").fill("07911 123488")
    page.get_by_label("Walk-in (the client is here now)").check()
    page.get_by_role("button", name="Book", exact=True).click()
    page.wait_for_selector("text=Booked Men's cut")
    walk_in = Appointment.objects.get(source="walk_in")
    assert walk_in.customer.email is None and walk_in.staff == stylist and walk_in.start <= timezone.now()
    screenshot(page, f"front-desk-walk-in-{label}")

    # The column's "+ walk-in" books from this minute, or the next free one.
    page.get_by_role("link", name="Back to the calendar").click()
    page.locator(f'th[data-column="{stylist.pk}"] a.walk-in-link').click()
    page.get_by_label("Service").select_option(label="Men's cut")
    page.get_by_label("First name").fill("Second")
    page.get_by_label("Phone").fill("07911 123489")
    page.get_by_role("button", name="Book walk-in").click()
    page.wait_for_selector("text=Walk-in booked")
    assert Appointment.objects.filter(source="walk_in").count() == 2

    # Back on the calendar the block is there; open it, check in, complete.
    page.get_by_role("link", name="Back to the calendar").click()
    block = page.locator(f'td.block[data-appointment="{walk_in.pk}"]')
    expect(block).to_contain_text("Walker")
    block.get_by_role("link").click()
    page.get_by_role("button", name="Check in").click()
    page.wait_for_selector("text=Checked in.")
    walk_in.refresh_from_db()
    assert walk_in.status == "arrived"
    page.get_by_role("button", name="Complete").click()
    page.wait_for_selector("text=Completed.")
    walk_in.refresh_from_db()
    assert walk_in.status == "completed"
    screenshot(page, f"front-desk-appointment-{label}")

    # Book a client from an empty cell later today, finding them by name as we type.
    page.get_by_role("link", name="Back to the calendar").click()
    free = page.locator("tbody tr").filter(has=page.locator("td.free")).last.locator("td.free").first
    free.locator("a").click()
    page.get_by_label("Find a client").fill("Priya")
    page.get_by_role("option", name=re.compile("Priya Shah")).click()
    expect(page.get_by_label("Phone")).to_have_value("+447911123404")
    expect(page.locator(".client-search .client-warnings")).to_contain_text("Allergies: Nickel")
    page.get_by_label("Service").select_option(label="Free consultation")
    page.get_by_role("button", name="Book", exact=True).click()
    page.wait_for_selector("text=Booked Free consultation")
    booked = Appointment.objects.filter(source="admin", service__name="Free consultation").latest("created_at")
    assert booked.customer.email is None and booked.customer.first_name == "Priya"

    # Move it: pick a new cell in the calendar, confirm.
    old_start = booked.start
    page.get_by_role("link", name="Move: pick a new time in the calendar").click()
    page.wait_for_selector("p.moving")
    page.get_by_role("link", name=re.compile("^Move here")).first.click()
    page.get_by_role("button", name="Move here").click()
    page.wait_for_selector("text=Moved.")
    booked.refresh_from_db()
    assert booked.start != old_start and booked.sequence == 1

    # Time off for the stylist this afternoon, with a reason shown in the column.
    page.get_by_role("link", name="Back to the calendar").click()
    page.get_by_role("link", name="Time off", exact=True).click()
    page.get_by_label("Staff").select_option(label=stylist.name)
    page.get_by_label("Start time").fill("17:00")
    page.get_by_label("End time").fill("18:00")
    page.get_by_label("Reason").fill("Training")
    page.get_by_role("button", name="Add time off").click()
    page.wait_for_selector("td.off:has-text('Training')")
    assert TimeOff.objects.filter(staff=stylist, reason="Training").exists()
    screenshot(page, f"front-desk-time-off-{label}")

    # The client card of the walk-in client, from the appointment panel.
    page.goto(f"{live_server.url}/admin/calendar/appointments/{booked.pk}/")
    page.get_by_role("link", name=re.compile("Priya")).first.click()
    page.wait_for_selector("text=Nickel")
    screenshot(page, f"front-desk-client-card-{label}")

    # The report of today.
    page.goto(f"{live_server.url}/admin/")
    page.locator("#content-main").get_by_role("link", name="Reports").first.click()
    page.wait_for_url(re.compile("/admin/reports/"))
    expect(page.locator("svg").first).to_be_visible()
    screenshot(page, f"front-desk-reports-{label}")
    context.close()


def test_the_desk_books_over_a_customers_hold_only_when_told_to(live_server, playwright_chromium):
    """Issue 20: a time a customer holds in the widget is refused at the desk until staff tick
    "Book over a customer's hold"."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from booking.holds import hold_create
    from booking.models import SlotHold
    from booking.selectors import available_slots, customer_window

    demo = seed_demo_salon(name="Demo", timezone_name="Europe/London", staff_count=3, max_advance_days=60)
    business = Business.objects.get(pk=demo["business_id"])
    stylist = business.staff.order_by("position").first()
    service = business.services.filter(staff=stylist, resource_kinds=[]).order_by("duration").first()
    day = timezone.localdate(timezone=business.zone) + timedelta(days=3)
    window = customer_window(business, now=timezone.now())
    slot = next(
        slot
        for n in range(7)
        for slot in available_slots(business, service, first_day=day + timedelta(days=n), staff=stylist, window=window)
    )
    hold_create(business=business, items=[(service, stylist)], start=slot.start)

    page = playwright_chromium.new_context(viewport=WIDE, locale="en-GB").new_page()
    page.set_default_timeout(10_000)
    sign_in_to_the_admin(page, live_server.url, demo["owner_email"], demo["owner_password"])
    expect(page.get_by_role("heading", name=re.compile("Front desk"))).to_be_visible()
    query = {"business": business.pk, "staff": stylist.pk, "start": slot.start.astimezone(business.zone).isoformat()}
    page.goto(f"{live_server.url}{reverse('admin:frontdesk-book')}?{urlencode(query)}")
    page.get_by_label("Service").select_option(label=service.name)
    page.get_by_label("First name").fill("Desk")
    page.get_by_label("Phone").fill("07911 123477")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_text("A customer is holding this time")).to_be_visible()
    assert not Appointment.objects.filter(staff=stylist, start=slot.start, status="confirmed").exists()
    page.get_by_label("Book over a customer's hold").check()
    page.get_by_role("button", name="Book", exact=True).click()
    page.wait_for_selector(f"text=Booked {service.name}")
    assert Appointment.objects.get(staff=stylist, start=slot.start, status="confirmed").source == "admin"
    assert not SlotHold.objects.exists()
