"""Headless Chromium (Debian's package) driven by Playwright, for tests marked `browser`.

When no Chromium is installed, browser tests are skipped with a loud warning (CI installs
it). Screenshots go to test-artifacts/ (or $TEST_ARTIFACTS).
"""

import os
import re
import shutil
import warnings
from pathlib import Path

import pytest
from django.core import mail

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))
# As root in a sandbox without network: no sandbox, no GPU, no background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 390, "height": 844}
# WCAG 1.4.10 (reflow): 1280 CSS pixels at 400 % zoom is a 320 px wide viewport.
NARROW = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 800}


def chromium_path() -> str | None:
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


@pytest.fixture(scope="session")
def playwright_session():
    """(Playwright, path to Chromium) for tests that launch Chromium their own way."""
    path = chromium_path()
    if path is None:
        message = "NO CHROMIUM INSTALLED: browser tests are SKIPPED (apt-get install chromium to run them)"
        warnings.warn(message, stacklevel=1)
        print(f"\n{'!' * 80}\n{message}\n{'!' * 80}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django would refuse ORM calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            yield playwright, path
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(scope="session")
def playwright_chromium(playwright_session):
    playwright, path = playwright_session
    browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def fill_emailed_code(scope, field=None) -> None:
    """Type the code of the latest e-mail into the "Code" field of a page or frame.

    The field appears only once the server has sent the e-mail, so waiting for it first is what
    keeps a slow machine from reading the outbox too early (or the previous code).
    """
    field = field or scope.get_by_label("Code", exact=True)  # another locator where the page is not in English
    field.wait_for()
    field.fill(re.search(r"\b(\d{8})\b", mail.outbox[-1].body).group(1))


def sign_in_to_the_admin(page, base_url: str, email: str, password: str) -> None:
    """Django's admin login form, as a salon owner fills it in."""
    page.goto(f"{base_url}/admin/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


# axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules (axe-playwright-python bundles axe-core: no download).
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


def axe_violations(scope) -> list[str]:
    """axe's WCAG A/AA violations on a page or frame, one line per rule with the elements it found."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(scope, options=WCAG_AA)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
    ]


def assert_accessible(scope, name: str) -> None:
    violations = axe_violations(scope)
    assert not violations, f"{name}:\n" + "\n".join(violations)


def assert_reflows(scope, name: str) -> None:
    """Nothing is cut off or needs sideways scrolling at the page's width (a 320 px viewport is
    a 1280 px screen zoomed to 400 %)."""
    overflow = scope.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: {overflow} px wider than the viewport"
