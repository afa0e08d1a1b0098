"""A slow answer never draws over a later step (issue 23): the test server holds one
availability answer back until the customer has moved on, then lets it go."""

import re
import threading

import pytest

from tests.browser import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class HeldAnswers:
    """Wraps a view helper so that its `hold`-th call waits until `release()`.

    The live server answers each request in a thread of its own, so holding one answer
    leaves the others free: exactly a slow phone connection's out-of-order replies.
    """

    def __init__(self, function, hold: int):
        self.function, self.hold = function, hold
        self.calls = 0
        self.lock = threading.Lock()
        self.held = threading.Event()
        self.released = threading.Event()
        self.answered = threading.Event()

    def __call__(self, *args, **kwargs):
        with self.lock:
            self.calls += 1
            mine = self.calls == self.hold
        if mine:
            self.held.set()
            assert self.released.wait(timeout=30), "the test never released the held answer"
        try:
            return self.function(*args, **kwargs)
        finally:
            if mine:
                self.answered.set()

    def release(self) -> None:
        self.released.set()


def test_the_widget_drops_a_late_availability_answer(
    live_server, playwright_chromium, salon, staff, services, monkeypatch
):
    import booking.api.views

    # Calls: 1 = after "Anyone available", 2 = the first day click (held), 3 = the second.
    answers = HeldAnswers(booking.api.views.availability_response, hold=2)
    monkeypatch.setattr(booking.api.views, "availability_response", answers)
    page = playwright_chromium.new_context(viewport=DESKTOP).new_page()
    page.goto(f"{live_server.url}/widget/{salon.pk}")
    page.get_by_role("button", name=re.compile("^Cut")).click()
    page.get_by_role("button", name="Anyone available").click()
    step = page.locator("#step")
    page.locator('#step[aria-busy="false"] button.day').first.wait_for()

    slow_day = page.locator("button.day:enabled").nth(1).text_content()
    page.locator("button.day:enabled").nth(1).click()
    assert answers.held.wait(timeout=10)
    # While it loads: the region is busy and the old times cannot be clicked.
    assert step.get_attribute("aria-busy") == "true"
    assert page.locator("button.time").first.is_disabled()

    fast_day = page.locator("button.day:enabled").nth(2).text_content()
    page.locator("button.day:enabled").nth(2).click()
    chosen = page.locator('#step[aria-busy="false"] button.day[aria-pressed="true"]')
    chosen.filter(has_text=fast_day).wait_for()

    with page.expect_response(lambda response: "/availability" in response.url):
        answers.release()
    # The late answer for the first day arrived and changed nothing.
    page.wait_for_function("() => document.querySelectorAll('button.time').length > 0")
    assert chosen.text_content() == fast_day != slow_day
    assert step.get_attribute("aria-busy") == "false"
    page.locator("button.time").first.click()
    page.get_by_label("Email or mobile number").wait_for()
    assert page.locator("h2").inner_text() == "Your details"


def test_the_portal_day_picker_drops_a_late_answer(
    live_server, playwright_chromium, salon, staff, services, monkeypatch
):
    import portal.views

    # Calls: 1 = the time step's page load, 2 = the first day click in place (held), 3 = the second.
    answers = HeldAnswers(portal.views.render_booking, hold=2)
    monkeypatch.setattr(portal.views, "render_booking", answers)
    page = playwright_chromium.new_context(viewport=DESKTOP).new_page()
    page.goto(f"{live_server.url}/customer/book-appointment?business={salon.pk}&service={services[0].pk}&staff=any")
    booking = page.locator("#booking")
    days = page.locator("a.day")
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))

    days.nth(1).click()
    assert answers.held.wait(timeout=10)
    assert booking.get_attribute("aria-busy") == "true"
    fast_day = days.nth(2).get_attribute("href").split("date=")[1]
    days.nth(2).click()
    page.locator(f'#booking[aria-busy="false"] a.day[aria-current="true"][href$="date={fast_day}"]').wait_for()
    shown = booking.inner_html()
    # The older request was given up (AbortController) the moment the newer one started.
    assert len([url for url in failed if "partial=1" in url]) == 1

    answers.release()
    assert answers.answered.wait(timeout=10)
    page.evaluate("() => fetch(location.href).then(r => r.text())")  # one more round trip through the page
    assert booking.inner_html() == shown
    assert booking.get_attribute("aria-busy") == "false"
