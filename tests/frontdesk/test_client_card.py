"""The client card (the admin page of a client at one salon): history, warnings, notes,
search and scoping: another salon's clients and appointments never show."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import ClientNote, CustomerAccount, CustomerBusinessRelationship
from tests.factories import CustomerFactory, make_appointment

NOW = datetime(2030, 3, 4, 12, tzinfo=UTC)  # a Monday; London is on GMT


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def card(salon, dana):
    """Dana at Salon Alpha: a regular with an allergy and a patch test on file."""
    return CustomerBusinessRelationship.objects.create(
        customer=dana,
        business=salon,
        total_visits=3,
        total_spent=Decimal("120.00"),
        loyalty_points=40,
        allergies="PPD (hair dye)",
        patch_test_required=True,
        patch_test_on=date(2030, 2, 1),
        notes="Prefers mornings",
    )


@pytest.fixture
def visits(card, staff, services, other_salon, dana):
    """Dana's appointments: two past and one upcoming at Alpha, a no-show at Beta."""
    ana, ben = staff
    cut, colour, _ = services
    beta_member = other_salon.staff.get()
    return {
        "completed": make_appointment(
            staff=ana, service=cut, customer=dana, start=datetime(2030, 2, 1, 10, tzinfo=UTC), status="completed"
        ),
        "no_show": make_appointment(
            staff=ben, service=cut, customer=dana, start=datetime(2030, 2, 15, 11, tzinfo=UTC), status="no_show"
        ),
        # 13:00 UTC in June is 14:00 in London (BST): the card shows the salon's clock.
        "upcoming": make_appointment(
            staff=ben, service=colour, customer=dana, start=datetime(2030, 6, 10, 13, tzinfo=UTC)
        ),
        "elsewhere": make_appointment(
            staff=beta_member,
            service=other_salon.services.get(),
            customer=dana,
            start=datetime(2030, 2, 20, 15, tzinfo=UTC),
            status="no_show",
        ),
    }


def card_url(relationship):
    return reverse("admin:customers_customerbusinessrelationship_change", args=[relationship.pk])


def clients_url():
    return reverse("admin:customers_customerbusinessrelationship_changelist")


def readonly(html: str, field: str) -> str:
    """The shown value of a read-only field of the card."""
    row = html.split(f'class="form-row field-{field}"', 1)[1]
    return row.split('<div class="readonly">', 1)[1].split("</div>", 1)[0]


def card_form(**fields) -> dict:
    """What the card's form posts: its editable fields and the notes' management form."""
    data = {
        "allergies": "",
        "notes": "",
        "patch_test_on": "",
        "client_notes-TOTAL_FORMS": "0",
        "client_notes-INITIAL_FORMS": "0",
        "client_notes-MIN_NUM_FORMS": "0",
        "client_notes-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


def phone_only_client(salon, phone: str, first_name: str) -> CustomerBusinessRelationship:
    account = CustomerAccount.objects.create(email=None, phone=phone)
    return CustomerBusinessRelationship.objects.create(
        customer=account, business=salon, phone=phone, first_name=first_name
    )


def test_the_card_shows_visits_spending_points_and_no_shows_here(client, alice, card, visits):
    client.force_login(alice)
    html = client.get(card_url(card)).content.decode()
    assert readonly(html, "total_visits") == "3"
    assert readonly(html, "total_spent") == "120.00"
    assert 'name="loyalty_points" value="40"' in html
    assert readonly(html, "no_show_count") == "1"  # Beta's no-show is not Alpha's business
    assert readonly(html, "account_email") == "dana@example.com"


def test_the_card_lists_upcoming_and_past_appointments_here_in_the_salons_clock(client, alice, card, visits):
    client.force_login(alice)
    html = client.get(card_url(card)).content.decode()
    upcoming, past = readonly(html, "upcoming_appointments"), readonly(html, "past_appointments")
    panel = reverse("admin:frontdesk-appointment", args=[visits["upcoming"].pk])
    assert f'<a href="{panel}">Mon 10 Jun 2030 14:00</a>' in upcoming
    assert "<td>Colour</td><td>Ben</td><td>Confirmed</td><td>95.00 GBP</td>" in upcoming
    assert "Fri 15 Feb 2030 11:00" in past and "No-show" in past
    assert "Fri 01 Feb 2030 10:00" in past and "Completed" in past
    assert past.index("15 Feb") < past.index("01 Feb")  # latest first
    assert "Beta cut" not in html and "Zed" not in html and "20 Feb 2030" not in html


def test_the_card_opens_with_the_warnings_and_a_booking_link(client, bob, card, salon):
    client.force_login(bob)
    html = client.get(card_url(card)).content.decode()
    warnings = html.split('<div class="client-warnings" role="alert">', 1)[1].split("</div>", 1)[0]
    assert "⚠ Allergies: PPD (hair dye)" in warnings
    assert "⚠ Patch test required (last on 01 Feb 2030)" in warnings
    assert html.index("client-warnings") < html.index("field-customer")  # above the details
    assert f'href="{reverse("admin:frontdesk-book")}?business={salon.pk}">Book for this client<' in html


def test_a_staff_member_adds_a_signed_dated_note_and_edits_the_care_fields(client, bob, card):
    client.force_login(bob)
    response = client.post(
        card_url(card),
        card_form(
            allergies="PPD",
            patch_test_required="on",
            patch_test_on="2030-03-01",
            notes="Prefers mornings",
            **{
                "client_notes-TOTAL_FORMS": "1",
                "client_notes-0-written_on": "2030-03-04",
                "client_notes-0-text": "6/0 + 20 vol, 35 min",
                "client_notes-0-relationship": str(card.pk),
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    note = ClientNote.objects.get(relationship=card)
    assert (note.text, note.written_on, note.author, note.author_label) == (
        "6/0 + 20 vol, 35 min",
        date(2030, 3, 4),
        bob,
        "bob@alpha.example",
    )
    card.refresh_from_db()
    assert (card.allergies, card.patch_test_on, card.loyalty_points) == ("PPD", date(2030, 3, 1), 40)
    html = client.get(card_url(card)).content.decode()
    assert "6/0 + 20 vol, 35 min" in html and "bob@alpha.example" in html


def test_the_author_cannot_be_forged_from_the_form(client, bob, alice, card):
    client.force_login(bob)
    client.post(
        card_url(card),
        card_form(
            **{
                "client_notes-TOTAL_FORMS": "1",
                "client_notes-0-text": "Toner 9/1",
                "client_notes-0-written_on": "2030-03-04",
                "client_notes-0-author": str(alice.pk),
                "client_notes-0-author_label": "alice@alpha.example",
            }
        ),
    )
    note = ClientNote.objects.get(relationship=card)
    assert (note.author, note.author_label) == (bob, "bob@alpha.example")


def existing_note_form(note, **fields) -> dict:
    return card_form(
        **{
            "client_notes-TOTAL_FORMS": "1",
            "client_notes-INITIAL_FORMS": "1",
            "client_notes-0-id": str(note.pk),
            "client_notes-0-relationship": str(note.relationship_id),
            "client_notes-0-written_on": "2030-03-04",
            **fields,
        }
    )


def test_a_note_stays_as_written_and_staff_cannot_delete_it(client, alice, bob, card):
    note = ClientNote.objects.create(relationship=card, author=alice, author_label="Alice", text="7/1 + 30 vol")
    client.force_login(bob)
    assert 'name="client_notes-0-text"' not in client.get(card_url(card)).content.decode()
    rewrite = existing_note_form(note, **{"client_notes-0-text": "rewritten"})
    assert client.post(card_url(card), rewrite).status_code == 302  # the card saves; the note does not change
    assert client.post(card_url(card), existing_note_form(note, **{"client_notes-0-DELETE": "on"})).status_code == 302
    note.refresh_from_db()
    assert note.text == "7/1 + 30 vol"


def test_an_owner_deletes_a_note(client, alice, bob, card):
    note = ClientNote.objects.create(relationship=card, author=bob, author_label="Bob", text="Wrong client")
    client.force_login(alice)
    form = existing_note_form(note, loyalty_points="40", **{"client_notes-0-DELETE": "on"})
    assert client.post(card_url(card), form).status_code == 302
    assert not ClientNote.objects.filter(pk=note.pk).exists()


def test_the_list_shows_each_clients_numbers_and_warnings(client, alice, card, visits, salon):
    phone_only_client(salon, "+447911123456", "Pat")
    client.force_login(alice)
    response = client.get(clients_url())
    rows = {
        row.split("</th>")[0]: row for row in response.content.decode().split('<th class="field-client_name">')[1:]
    }
    dana_row = next(row for name, row in rows.items() if "Dana Doe" in name)
    assert '<td class="field-client_email">dana@example.com</td>' in dana_row
    assert '<td class="field-total_spent">120.00</td>' in dana_row
    assert '<td class="field-loyalty_points">40</td>' in dana_row
    assert '<td class="field-no_show_count">1</td>' in dana_row
    assert "⚠ Allergies: PPD (hair dye)" in dana_row
    pat_row = next(row for name, row in rows.items() if "Pat" in name)
    assert '<td class="field-client_phone">+447911123456</td>' in pat_row
    assert '<td class="field-no_show_count">0</td>' in pat_row and "⚠" not in pat_row


@pytest.mark.parametrize("typed", ["07911 123456", "+447911123456", "7911123456"])
def test_searching_a_phone_finds_a_phone_only_client(client, bob, card, salon, typed):
    phone_only_client(salon, "+447911123456", "Pat")
    client.force_login(bob)
    response = client.get(clients_url(), {"q": typed})
    assert [r.display_name for r in response.context["cl"].result_list] == ["Pat"]


def test_searching_an_email_or_a_name_finds_the_client(client, bob, card):
    client.force_login(bob)
    for typed in ("dana@example", "Doe"):
        response = client.get(clients_url(), {"q": typed})
        assert [r.pk for r in response.context["cl"].result_list] == [card.pk]


def test_another_salons_member_cannot_open_the_card(client, charlie, card, visits):
    client.force_login(charlie)
    response = client.get(card_url(card))
    assert response.status_code == 404
    html = response.content.decode()
    assert "PPD" not in html and "Dana" not in html
    refused = client.post(card_url(card), card_form(allergies="none"))
    assert refused.status_code == 404
    card.refresh_from_db()
    assert card.allergies == "PPD (hair dye)"


def test_another_salons_member_cannot_find_the_client(client, charlie, card, other_salon, salon):
    zoe = CustomerFactory(first_name="Zoe", last_name="Zed", phone="+15550100")
    CustomerBusinessRelationship.objects.create(customer=zoe, business=other_salon)
    phone_only_client(salon, "+447911123456", "Pat")
    client.force_login(charlie)
    listed = client.get(clients_url())
    assert [r.display_name for r in listed.context["cl"].result_list] == ["Zoe Zed"]
    html = listed.content.decode()
    assert "Dana" not in html and "Pat" not in html and "PPD" not in html
    for typed in ("Dana", "dana@example.com", "07911 123456"):
        assert list(client.get(clients_url(), {"q": typed}).context["cl"].result_list) == []


def count_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(clients_url()).status_code == 200
    return len(queries.captured_queries)


def test_the_list_costs_the_same_queries_for_2_or_12_clients(client, alice, salon, staff, services):
    def add_clients(count: int) -> None:
        for _ in range(count):
            customer = CustomerFactory()
            CustomerBusinessRelationship.objects.create(customer=customer, business=salon, allergies="Latex")
            make_appointment(
                staff=staff[0],
                service=services[0],
                customer=customer,
                start=datetime(2030, 2, 1, 9, tzinfo=UTC),
                status="no_show",
            )

    client.force_login(alice)
    add_clients(2)
    with_two = count_list_queries(client)
    add_clients(10)
    assert count_list_queries(client) == with_two
