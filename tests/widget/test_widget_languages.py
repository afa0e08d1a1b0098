"""The widget in the visitor's language (issue 21): the host page's, or the one chosen in the
widget, reaches the page, its JavaScript catalogue and the iframe's address."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from booking.models import Appointment
from config.locale_format import long_date
from tests.browser import DESKTOP, fill_emailed_code
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HOST_PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Salon</title></head>
<body><div data-booking-widget="{business}"></div><div data-booking-widget="{business}" data-lang="de"></div>
<script src="{app}/widget-embed.js"></script></body></html>"""


def test_the_page_loads_its_languages_catalogue_before_its_script(client, salon):
    html = client.get(f"/widget/{salon.pk}?lang=de").content.decode()
    assert '<html lang="de">' in html
    assert html.index(f'src="{reverse("javascript-catalog")}?lang=de"') < html.index("js/widget.js")
    assert '<option value="de" lang="de" selected>Deutsch</option>' in html
    assert '<option value="fr" lang="fr">Français</option>' in html


def test_a_language_we_do_not_have_gives_way_to_the_browsers(client, salon):
    html = client.get(f"/widget/{salon.pk}?lang=xx", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert '<html lang="nl">' in html
    assert f'src="{reverse("javascript-catalog")}?lang=nl"' in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_language_switch_reloads_the_widget_and_keeps_its_other_parameters(
    live_server, playwright_chromium, salon, staff, services
):
    page = playwright_chromium.new_context(viewport=DESKTOP).new_page()
    page.goto(f"{live_server.url}/widget/{salon.pk}?service={services[0].pk}&lang=en")
    page.get_by_role("heading", name="Who would you like?").wait_for()
    page.get_by_label("Language").select_option("fr")
    page.wait_for_url(re.compile(r"[?&]lang=fr\b"))
    assert f"service={services[0].pk}" in page.url
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#widget-language")).to_have_value("fr")
    expect(page.locator("#widget-language option[value=en]")).to_have_text("English")  # each in its own words
    expect(page.locator("#step h2")).to_be_visible()  # the script ran with the French catalogue


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_embed_passes_the_host_pages_language_unless_told_another(
    live_server, playwright_chromium, salon, host_site
):
    folder, host = host_site
    (folder / "index.html").write_text(HOST_PAGE.format(lang="fr", business=salon.pk, app=live_server.url))
    page = playwright_chromium.new_context().new_page()
    page.goto(host)
    frames = page.locator("iframe")
    expect(frames).to_have_count(2)
    assert "lang=fr" in frames.nth(0).get_attribute("src")
    assert "lang=de" in frames.nth(1).get_attribute("src")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_host_page_without_a_language_passes_none(live_server, playwright_chromium, salon, host_site):
    folder, host = host_site
    (folder / "index.html").write_text(HOST_PAGE.format(lang="", business=salon.pk, app=live_server.url))
    page = playwright_chromium.new_context().new_page()
    page.goto(host)
    frames = page.locator("iframe")
    expect(frames).to_have_count(2)
    assert "lang=" not in frames.nth(0).get_attribute("src")
    assert "lang=de" in frames.nth(1).get_attribute("src")


GERMAN_HOST_PAGE = """<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Salon Alpha</title></head>
<body><h1>Willkommen</h1><div id="termin"></div><script src="{app}/widget-embed.js"></script>
<script>BookingWidget.loadWidget("{business}", "termin");</script></body></html>"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_german_customer_books_in_german_on_a_german_page_and_hears_back_in_german(
    live_server, playwright_chromium, salon, staff, services, host_site, sms_outbox
):
    """Issue 21's "done when": the widget on a German page speaks German, and so do the
    confirmation e-mail and text (the account keeps the language it signed in with)."""
    salon.embed_allowed_origins, salon.sms_enabled = [host_site[1]], True
    salon.save()
    CustomerFactory(email="kunde@example.de", phone="+4915123456789", phone_verified=True, language="")
    folder, host = host_site
    (folder / "index.html").write_text(GERMAN_HOST_PAGE.format(app=live_server.url, business=salon.pk))
    page = playwright_chromium.new_context(viewport=DESKTOP, locale="en-GB").new_page()  # an English browser
    page.goto(host)
    frame = page.frame_locator("#termin iframe")

    expect(frame.locator("html")).to_have_attribute("lang", "de")
    expect(frame.get_by_role("heading", name="Leistung wählen")).to_be_visible()
    expect(frame.get_by_role("button", name=re.compile("^Cut"))).to_contain_text("30,00\u00a0£")
    frame.get_by_role("button", name=re.compile("^Cut")).click()
    frame.get_by_role("button", name="Ana").click()
    frame.locator("button.day:enabled").nth(1).click()
    frame.locator('#step[aria-busy="false"] button.day[aria-pressed="true"]').wait_for()
    frame.locator("button.time").first.click()
    frame.get_by_label("E-Mail oder Handynummer").fill("kunde@example.de")
    frame.get_by_role("button", name="Code zusenden").click()
    fill_emailed_code(frame)
    frame.get_by_role("button", name="Weiter").click()
    frame.get_by_role("button", name="Buchung bestätigen").click()
    expect(frame.get_by_role("heading", name="Ihr Termin ist gebucht!")).to_be_visible()

    appointment = Appointment.objects.get(customer__email="kunde@example.de")
    assert appointment.customer.language == "de"
    local = appointment.start.astimezone(salon.zone)
    with translation.override("de"):
        day = long_date(local)
    confirmation = next(m for m in mail.outbox if m.to == ["kunde@example.de"] and m.attachments)
    assert confirmation.subject.startswith("Gebucht")
    assert day in confirmation.body and "30,00\u00a0£" in confirmation.body
    assert "Salon Alpha: Cut am" in sms_outbox.messages()[0] and "gebucht" in sms_outbox.messages()[0]


def test_without_a_language_of_its_own_the_widget_speaks_the_salons(client, salon):
    salon.language = "pl"
    salon.save()
    html = client.get(f"/widget/{salon.pk}").content.decode()
    assert '<html lang="pl">' in html
    assert f'src="{reverse("javascript-catalog")}?lang=pl"' in html
