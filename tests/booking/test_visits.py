"""Visits (DESIGN §10): colour then cut, by two stylists, over the API; all or nothing; one
message per visit; moved and cancelled as one."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from booking.models import Appointment, Visit
from businesses.models import Resource
from tests.api_helpers import client_for, customer_client, error_code
from tests.factories import ServiceFactory, make_appointment

NOW = datetime(2030, 3, 1, 12, tzinfo=UTC)  # the Friday before; London is on GMT
MONDAY = "2030-03-04"


def at(hour, minute=0):
    return datetime(2030, 3, 4, hour, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def colour(salon, staff, services):
    """60 minutes; the colour develops from minute 15 to minute 45; Ana only."""
    service = ServiceFactory(
        business=salon,
        name="Root colour",
        duration=timedelta(minutes=60),
        price=60,
        processing_offset=timedelta(minutes=15),
        processing_duration=timedelta(minutes=30),
    )
    service.staff.set(staff[:1])
    return service


@pytest.fixture
def blow_dry(salon, staff, services):
    """30 minutes; Ben only."""
    service = ServiceFactory(business=salon, name="Blow-dry", duration=timedelta(minutes=30), price=25)
    service.staff.set(staff[1:])
    return service


def visit_body(salon, *items, start=f"{MONDAY}T09:00:00+00:00", **extra):
    return {
        "business_id": str(salon.pk),
        "items": [
            {"service_id": str(service.pk), **({"staff_id": str(who.pk)} if who else {})} for service, who in items
        ],
        "start": start,
        **extra,
    }


def test_availability_of_a_visit_lists_its_items_back_to_back(api_client, salon, staff, colour, blow_dry):
    query = {"services": f"{colour.pk},{blow_dry.pk}", "date": MONDAY}
    body = api_client.get(f"/api/business/{salon.pk}/availability", query).json()
    assert set(body) == {"business_id", "service_ids", "timezone", "slots"}
    assert body["service_ids"] == [str(colour.pk), str(blow_dry.pk)]
    first = body["slots"][0]
    assert first == {
        "start": f"{MONDAY}T09:00:00+00:00",
        "end": f"{MONDAY}T10:30:00+00:00",
        "items": [
            {
                "service_id": str(colour.pk),
                "start": f"{MONDAY}T09:00:00+00:00",
                "end": f"{MONDAY}T10:00:00+00:00",
                "staff_ids": [str(staff[0].pk)],
            },
            {
                "service_id": str(blow_dry.pk),
                "start": f"{MONDAY}T10:00:00+00:00",
                "end": f"{MONDAY}T10:30:00+00:00",
                "staff_ids": [str(staff[1].pk)],
            },
        ],
    }


def test_a_visit_start_needs_every_item_placed(api_client, salon, staff, colour, blow_dry, dana):
    make_appointment(staff=staff[1], service=blow_dry, customer=dana, start=at(10))  # Ben busy 10:00-10:30
    query = {"services": f"{colour.pk},{blow_dry.pk}", "date": MONDAY}
    starts = [
        s["start"][11:16] for s in api_client.get(f"/api/business/{salon.pk}/availability", query).json()["slots"]
    ]
    assert "09:00" not in starts and "09:30" in starts  # 09:30: the blow-dry at 10:30


@pytest.mark.parametrize(
    "query",
    [
        {"service": "x"},
        {},
        {"services": "not,ids"},
        {"services": ",".join(["00000000-0000-0000-0000-000000000001"] * 6)},
    ],
)
def test_bad_visit_queries_are_400(api_client, salon, services, query):
    if query.get("service") == "x":
        query = {"service": str(services[0].pk), "services": f"{services[0].pk},{services[1].pk}"}
    response = api_client.get(f"/api/business/{salon.pk}/availability", query)
    assert response.status_code == 400 and error_code(response) == "validation_error"


def test_a_customer_books_colour_then_blow_dry_with_two_stylists(
    salon, staff, colour, blow_dry, django_capture_on_commit_callbacks
):
    client, erin = customer_client("erin@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/appointments/create", visit_body(salon, (colour, None), (blow_dry, None)), format="json"
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {
        "visit_id",
        "business_id",
        "customer_id",
        "start",
        "end",
        "status",
        "price",
        "source",
        "notes",
        "appointments",
    }
    assert (body["start"], body["end"], body["status"], body["price"], body["customer_id"]) == (
        f"{MONDAY}T09:00:00+00:00",
        f"{MONDAY}T10:30:00+00:00",
        "confirmed",
        "85.00",
        str(erin.pk),
    )
    items = body["appointments"]
    assert [(a["staff_id"], a["start"][11:16], a["visit_id"]) for a in items] == [
        (str(staff[0].pk), "09:00", body["visit_id"]),
        (str(staff[1].pk), "10:00", body["visit_id"]),
    ]
    assert client.get(f"/api/visits/{body['visit_id']}").json() == body
    # One confirmation for the visit, listing both, with one calendar event covering it.
    confirmations = [m for m in mail.outbox if "erin@example.com" in m.to]
    assert len(confirmations) == 1
    assert "Root colour + Blow-dry" in confirmations[0].subject
    assert "Root colour with Ana" in confirmations[0].body and "Blow-dry with Ben" in confirmations[0].body
    invite = str(confirmations[0].attachments[0][1])
    assert invite.count("BEGIN:VEVENT") == 1 and f"visit-{body['visit_id']}@chairtime" in invite
    assert re.search(r"DTEND;TZID=Europe/London:20300304T103000", invite)


def test_a_third_client_is_booked_into_the_colourists_processing_window(
    salon, staff, services, colour, blow_dry, alice
):
    desk = client_for(alice)
    visit = desk.post(
        "/api/appointments/create",
        visit_body(salon, (colour, None), (blow_dry, None), customer={"email": "cora@example.com"}),
        format="json",
    )
    assert visit.status_code == 201
    quick = ServiceFactory(business=salon, name="Fringe trim", duration=timedelta(minutes=15), price=10)
    quick.staff.set(staff[:1])
    body = {
        "business_id": str(salon.pk),
        "service_id": str(quick.pk),
        "staff_id": str(staff[0].pk),
        "customer": {"email": "theo@example.com"},
    }
    inside = desk.post("/api/appointments/create", {**body, "start": f"{MONDAY}T09:15:00+00:00"}, format="json")
    assert inside.status_code == 201  # Ana is free while the colour develops
    over = desk.post("/api/appointments/create", {**body, "start": f"{MONDAY}T09:45:00+00:00"}, format="json")
    assert over.status_code == 409 and error_code(over) == "slot_unavailable"  # she rinses at 09:45


def test_an_item_that_cannot_be_placed_is_named_and_nothing_is_saved(salon, staff, colour, blow_dry, dana):
    make_appointment(staff=staff[1], service=blow_dry, customer=dana, start=at(10))
    client, _ = customer_client("erin@example.com")
    response = client.post(
        "/api/appointments/create", visit_body(salon, (colour, None), (blow_dry, None)), format="json"
    )
    assert response.status_code == 409 and error_code(response) == "slot_unavailable"
    assert list(response.json()["error"]["fields"]) == ["items.1"]
    assert not Visit.objects.exists() and Appointment.objects.count() == 1


def test_items_and_a_service_id_together_are_400(salon, services, colour):
    client, _ = customer_client("erin@example.com")
    body = {**visit_body(salon, (colour, None)), "service_id": str(services[0].pk)}
    response = client.post("/api/appointments/create", body, format="json")
    assert response.status_code == 400 and "items" in response.json()["error"]["fields"]


def test_one_stylist_keeps_consecutive_items_when_free(salon, staff, services, alice):
    cut = services[0]  # Ana and Ben both cut
    desk = client_for(alice)
    body = visit_body(salon, (cut, None), (cut, None), customer={"email": "twins@example.com"})
    items = desk.post("/api/appointments/create", body, format="json").json()["appointments"]
    assert items[0]["staff_id"] == items[1]["staff_id"]


def test_a_visit_counts_once_toward_the_booking_limit(salon, staff, colour, blow_dry, services):
    salon.max_upcoming_per_customer = 2
    salon.save()
    client, _ = customer_client("erin@example.com")
    assert (
        client.post(
            "/api/appointments/create", visit_body(salon, (colour, None), (blow_dry, None)), format="json"
        ).status_code
        == 201
    )
    single = {"business_id": str(salon.pk), "service_id": str(services[0].pk), "start": f"{MONDAY}T14:00:00+00:00"}
    assert client.post("/api/appointments/create", single, format="json").status_code == 201
    third = client.post("/api/appointments/create", {**single, "start": f"{MONDAY}T16:00:00+00:00"}, format="json")
    assert third.status_code == 409 and error_code(third) == "booking_limit_reached"


def test_moving_a_visit_moves_every_item_and_keeps_its_stylists(salon, staff, colour, blow_dry):
    client, _ = customer_client("erin@example.com")
    visit = client.post(
        "/api/appointments/create", visit_body(salon, (colour, None), (blow_dry, None)), format="json"
    ).json()
    moved = client.put(
        f"/api/visits/{visit['visit_id']}/reschedule", {"start": f"{MONDAY}T13:00:00+00:00"}, format="json"
    )
    assert moved.status_code == 200, moved.content
    assert [(a["staff_id"], a["start"][11:16]) for a in moved.json()["appointments"]] == [
        (str(staff[0].pk), "13:00"),
        (str(staff[1].pk), "14:00"),
    ]
    assert Appointment.objects.get(staff=staff[0]).processing_range.lower == at(13, 15)


def test_cancelling_a_visit_cancels_every_item_but_not_inside_the_window(salon, staff, colour, blow_dry, time_machine):
    client, _ = customer_client("erin@example.com")
    visit = client.post(
        "/api/appointments/create", visit_body(salon, (colour, None), (blow_dry, None)), format="json"
    ).json()
    time_machine.move_to(at(8), tick=False)  # an hour before: inside the 24-hour window
    late = client.put(f"/api/visits/{visit['visit_id']}/cancel", {}, format="json")
    assert late.status_code == 409 and error_code(late) == "too_late_to_cancel"
    time_machine.move_to(NOW, tick=False)
    cancelled = client.put(f"/api/visits/{visit['visit_id']}/cancel", {"reason": "ill"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert set(Appointment.objects.values_list("status", flat=True)) == {"cancelled"}


def test_another_persons_visit_is_404(salon, staff, colour, blow_dry, charlie):
    client, _ = customer_client("erin@example.com")
    visit = client.post(
        "/api/appointments/create", visit_body(salon, (colour, None), (blow_dry, None)), format="json"
    ).json()
    stranger, _ = customer_client("mallory@example.com")
    assert stranger.get(f"/api/visits/{visit['visit_id']}").status_code == 404
    assert client_for(charlie).put(f"/api/visits/{visit['visit_id']}/cancel", {}, format="json").status_code == 404


def test_each_item_holds_its_own_resources(salon, staff, services, alice):
    wash = services[0]
    wash.resource_kinds = ["basin"]
    wash.save()
    Resource.objects.create(business=salon, name="Only basin", kind="basin")
    desk = client_for(alice)
    body = visit_body(salon, (wash, None), (wash, None), customer={"email": "two@example.com"})
    items = desk.post("/api/appointments/create", body, format="json").json()["appointments"]
    assert items[0]["resource_ids"] == items[1]["resource_ids"]  # one after the other: the same basin is fine


def test_a_customer_changes_a_visit_only_as_a_whole_staff_may_cancel_one_item(salon, staff, colour, blow_dry, alice):
    client, _ = customer_client("erin@example.com")
    visit = client.post(
        "/api/appointments/create", visit_body(salon, (colour, None), (blow_dry, None)), format="json"
    ).json()
    second = visit["appointments"][1]["id"]
    refused = client.put(f"/api/appointments/{second}/cancel", {}, format="json")
    assert refused.status_code == 403 and error_code(refused) == "permission_denied"
    assert client_for(alice).put(f"/api/appointments/{second}/cancel", {}, format="json").status_code == 200
    assert client.get(f"/api/visits/{visit['visit_id']}").json()["status"] == "confirmed"  # the colour stands
