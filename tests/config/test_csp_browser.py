"""Every page works under our Content-Security-Policy (no inline script or style needed):
Chromium reports no violation, and the pages that run script still do their job."""

import pytest

from tests.browser import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def test_pages_run_under_the_policy_without_violations(
    live_server, playwright_chromium, salon, staff, services, superuser
):
    superuser.set_password("root-password-123")
    superuser.save()
    context = playwright_chromium.new_context(viewport=DESKTOP)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    base = live_server.url

    def visit(path: str, ready: str) -> None:
        response = page.goto(f"{base}{path}")
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        page.locator(ready).first.wait_for()
        assert page.evaluate("window.__violations") == [], path

    visit(f"/customer/portal?business={salon.pk}", "text=Book")
    # The day picker's script (book.js) loads days in place.
    visit(f"/customer/book-appointment?business={salon.pk}&service={services[0].pk}&staff=any", "button, a.day")
    visit("/customer/login", "text=Send me a code")
    visit(f"/widget/{salon.pk}", "text=Choose a service")  # drawn by widget.js
    visit("/api/docs", ".swagger-ui .opblock")  # Swagger UI, its script served as a file
    visit("/admin/login/", "input[name=username]")
    page.fill("input[name=username]", superuser.email)
    page.fill("input[name=password]", "root-password-123")
    page.click("input[type=submit]")
    visit("/admin/booking/appointment/add/", "select[name=business]")
    assert not [line for line in console if "Content Security Policy" in line]
