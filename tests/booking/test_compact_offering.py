"""A salon with compact offering (issue 16): customers are offered and may book only starts
that leave no short hole; members see and book every free start."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.api_helpers import client_for, customer_client, error_code
from tests.factories import make_appointment

NOW = datetime(2030, 3, 1, 12, tzinfo=UTC)  # the Friday before; London is on GMT


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def compact_salon(salon, staff, services, dana):
    """Ana has a cut 10:00-10:30 on Monday; the shortest active service is the 30-minute cut."""
    salon.slot_offering = "compact"
    salon.save()
    services[2].is_active = False  # the 15-minute consultation
    services[2].save()
    make_appointment(staff=staff[0], service=services[0], customer=dana, start=datetime(2030, 3, 4, 10, tzinfo=UTC))
    return salon


def monday_starts(client, salon, service, member) -> list[str]:
    query = {"service": service.pk, "date": "2030-03-04", "staff": member.pk}
    slots = client.get(f"/api/business/{salon.pk}/availability", query).json()["slots"]
    return [slot["start"][11:16] for slot in slots][:6]


def test_customers_are_offered_only_starts_leaving_no_short_hole(
    api_client, client, compact_salon, staff, services, alice
):
    cut, ana = services[0], staff[0]
    # 09:15 would leave 09:00-09:15, 10:45 would leave 10:30-10:45: nobody could book those.
    assert monday_starts(api_client, compact_salon, cut, ana) == ["09:00", "09:30", "10:30", "11:00", "11:15", "11:30"]
    # The public API is customer-facing whoever asks; the front desk shows every free cell.
    assert monday_starts(client_for(alice), compact_salon, cut, ana)[1] == "09:30"
    client.force_login(alice)
    desk = client.get(reverse("admin:frontdesk-calendar"), {"business": compact_salon.pk, "date": "2030-03-04"})
    assert f"staff={ana.pk}&amp;start=2030-03-04T09%3A15%3A00%2B00%3A00" in desk.content.decode()


def test_a_customer_cannot_book_an_untidy_start_but_the_desk_can(compact_salon, staff, services, alice):
    client, _ = customer_client("erin@example.com")
    body = {
        "business_id": str(compact_salon.pk),
        "service_id": str(services[0].pk),
        "staff_id": str(staff[0].pk),
        "start": "2030-03-04T09:15:00+00:00",
    }
    refused = client.post("/api/appointments/create", body, format="json")
    assert refused.status_code == 409 and error_code(refused) == "slot_unavailable"
    desk = client_for(alice).post(
        "/api/appointments/create", {**body, "customer": {"email": "erin@example.com"}}, format="json"
    )
    assert desk.status_code == 201


def test_all_offering_is_the_default(api_client, salon, staff, services, dana):
    make_appointment(staff=staff[0], service=services[0], customer=dana, start=datetime(2030, 3, 4, 10, tzinfo=UTC))
    assert "09:15" in monday_starts(api_client, salon, services[0], staff[0])
