"""A person signs in through /customer/login in headless Chromium, code from the outbox."""

import pytest

from tests.browser import DESKTOP, PHONE, fill_emailed_code, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_a_new_then_returning_customer_signs_in(live_server, playwright_chromium, viewport, label):
    context = playwright_chromium.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}/customer/login")
    page.get_by_label("Email or mobile number").fill("nia@example.com")
    page.get_by_role("button", name="Send me a code").click()
    fill_emailed_code(page)
    screenshot(page, f"login-code-{label}")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Park")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/customer/portal")
    assert "Hello, Nia" in page.content()
    screenshot(page, f"login-done-{label}")

    # Sign out, then back in as a returning customer: no name step.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email or mobile number").fill("NIA@example.com")
    page.get_by_role("button", name="Send me a code").click()
    fill_emailed_code(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/customer/portal")
    assert "Hello, Nia" in page.content()
    context.close()
