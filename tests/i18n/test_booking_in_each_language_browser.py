"""A customer books in the portal in each of our languages (issue 21), in headless Chromium: the
page says it is in that language, its words come from that language's catalogue, dates and
prices are written as that language writes them, and the new account keeps the language for the
confirmation it is sent."""

import re

import pytest
from django.core import mail
from django.utils import translation
from playwright.sync_api import expect

from booking.demo import seed_demo_salon
from booking.models import Appointment
from config.locale_format import long_date, money
from tests.browser import DESKTOP, fill_emailed_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROWSER_LOCALES = {
    "en": "en-GB",
    "de": "de-DE",
    "fr": "fr-FR",
    "es": "es-ES",
    "nl": "nl-NL",
    "pt": "pt-PT",
    "pl": "pl-PL",
}


def said(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@pytest.mark.parametrize("language", list(BROWSER_LOCALES))
def test_a_customer_books_in_their_language(live_server, playwright_chromium, language):
    demo = seed_demo_salon(name="Demo", timezone_name="Europe/London", staff_count=3, max_advance_days=60)
    context = playwright_chromium.new_context(viewport=DESKTOP, locale=BROWSER_LOCALES[language])
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/customer/book-appointment?business={demo['business_id']}")

    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h2")).to_have_text(said(language, "1. Choose a service"))
    if language != "en":  # the catalogue really was used
        assert said(language, "1. Choose a service") != "1. Choose a service"
    with translation.override(language):
        price = money("45.00", "GBP")
    expect(page.locator(".choices a").first).to_contain_text(price)

    page.locator(".choices a").first.click()  # Women's cut & finish
    page.locator(".choices a").first.click()  # anyone available
    page.locator("a.day").nth(4).click()
    page.locator('#booking[aria-busy="false"] a.day[aria-current="true"]').wait_for()
    page.locator("a.time").first.click()
    when = page.locator(".summary dd").last
    when.wait_for()
    page.locator("#booking form button[type=submit]").click()

    page.locator("#contact").fill(f"{language}@example.com")
    page.locator("form button[type=submit]").first.click()
    fill_emailed_code(page, page.locator("#code"))  # its label is in the page's language
    page.locator("main form button[type=submit]").first.click()
    page.locator("#first_name").fill("Kim")
    page.locator("main form button[type=submit]").first.click()
    page.locator("#booking form button[type=submit]").click()
    expect(page.get_by_role("status")).to_contain_text(
        said(language, "You're booked! A confirmation is on its way by email.")
    )

    appointment = Appointment.objects.get(customer__email=f"{language}@example.com")
    assert appointment.customer.language == language
    with translation.override(language):
        local_start = appointment.start.astimezone(appointment.business.zone)
        day = long_date(local_start)
    expect(page.locator(".summary")).to_contain_text(day)
    confirmation = next(
        message for message in mail.outbox if message.to == [f"{language}@example.com"] and message.attachments
    )
    assert day in confirmation.body and f"{local_start:%H:%M}" in confirmation.body
    if language == "de":  # as a German reads them: "Montag, 7. Dezember 2026", "45,00 £"
        assert re.search(r"^[A-Z][a-z]+tag|^Mittwoch", day) and re.search(r", \d{1,2}\. [A-ZÄ]", day)
        assert price == "45,00\u00a0£"
    context.close()
