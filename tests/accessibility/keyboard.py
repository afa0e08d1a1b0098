"""Driving pages by keyboard only: Tab and Shift+Tab to a control, the keys a person presses, and
what a keyboard user must see (visible focus, the new step's heading focused)."""

import re

from playwright.sync_api import expect

from tests.browser import fill_emailed_code

TABS = 80  # more than any of our pages has controls: a control never reached is a failure


def has_focus(target) -> bool:
    """`target` (a locator, in the page or in a frame) is what the keyboard acts on."""
    return target.evaluate("node => node.ownerDocument.hasFocus() && node.ownerDocument.activeElement === node")


def tab_to(page, target, *, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab) until `target` has the focus, and check that the focus is visible."""
    target.wait_for()
    for _ in range(TABS):
        if has_focus(target):
            assert_focus_visible(target)
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{TABS} presses of {'Shift+Tab' if backwards else 'Tab'} never reached {target}")


def assert_focus_visible(target) -> None:
    """A focused control draws an outline (our :focus style), so a sighted keyboard user sees it."""
    outline = target.evaluate("node => { const s = getComputedStyle(node); return [s.outlineStyle, s.outlineWidth]; }")
    assert outline[0] != "none" and outline[1] != "0px", f"no visible focus on {target}: {outline}"


def assert_heading_focused(heading) -> None:
    """After a step, the focus is on its heading, where a screen reader starts reading."""
    expect(heading).to_be_focused()


def sign_in_by_keyboard(page, email: str, *, first_name: str | None = None) -> None:
    """The sign-in page: the contact field has the focus; type, Enter, the code, Enter (a name if new)."""
    contact = page.get_by_label("Email or mobile number")
    expect(contact).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Enter")
    code = page.get_by_label("Code", exact=True)
    code.wait_for()
    expect(code).to_be_focused()
    fill_emailed_code(page)
    page.keyboard.press("Enter")
    if first_name is not None:
        name = page.get_by_label("First name")
        name.wait_for()
        expect(name).to_be_focused()
        page.keyboard.type(first_name)
        page.keyboard.press("Enter")


def arrow_to_day(page, days, steps: int) -> str:
    """In a day picker: Tab to it (its chosen day), ArrowRight `steps` days, and say which day
    has the focus (its full name, as a screen reader reads it)."""
    tab_to(page, days.locator("[data-pick][tabindex='0']"))
    for _ in range(steps):
        page.keyboard.press("ArrowRight")
    return days.locator(":focus .visually-hidden").text_content()


def arrow_to_time(page, times, steps: int) -> str:
    """In a time picker: Tab to it (its first time), ArrowRight `steps` times; the time focused."""
    tab_to(page, times.locator("[data-pick][tabindex='0']"))
    for _ in range(steps):
        page.keyboard.press("ArrowRight")
    return re.search(r"\d\d:\d\d", times.locator(":focus").text_content()).group(0)
