"""Public business endpoints: services, staff, hours."""

from datetime import UTC, datetime, time, timedelta

import pytest

from businesses.models import OpeningHours, Resource, TimeOff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("prefix", ["/api/business/{id}/services", "/api/customer/services/{id}"])
@pytest.mark.parametrize("slash", ["", "/"])
def test_services_show_active_services_with_active_staff(api_client, salon, staff, services, prefix, slash):
    staff[1].is_active = False
    staff[1].save()
    services[2].is_active = False
    services[2].save()
    response = api_client.get(prefix.format(id=salon.pk) + slash)
    assert response.status_code == 200
    body = response.json()
    assert [s["name"] for s in body] == ["Colour", "Cut"]  # the salon's order (position, then name)
    cut = body[1]
    assert cut == {
        "id": str(services[0].pk),
        "name": "Cut",
        "description": "",
        "duration_minutes": 30,
        "price": "30.00",
        "currency": "GBP",
        "staff_ids": [str(staff[0].pk)],
        "processing_offset_minutes": 0,
        "processing_minutes": 0,
        "resource_kinds": [],
    }


def test_services_show_processing_time_and_resource_kinds(api_client, salon, staff, services):
    colour = services[1]
    colour.processing_offset, colour.processing_duration = timedelta(minutes=20), timedelta(minutes=40)
    colour.resource_kinds = ["basin", "chair"]
    colour.save()
    (shown,) = [s for s in api_client.get(f"/api/business/{salon.pk}/services").json() if s["name"] == "Colour"]
    assert (shown["processing_offset_minutes"], shown["processing_minutes"], shown["resource_kinds"]) == (
        20,
        40,
        ["basin", "chair"],
    )


def test_resources_list_the_active_ones_of_this_salon(api_client, salon, other_salon):
    basin = Resource.objects.create(business=salon, name="Basin 1", kind="basin", position=1)
    room = Resource.objects.create(business=salon, name="Treatment room", kind="room", position=2)
    Resource.objects.create(business=salon, name="Broken basin", kind="basin", is_active=False)
    Resource.objects.create(business=other_salon, name="Beta basin", kind="basin")
    for slash in ("", "/"):
        assert api_client.get(f"/api/business/{salon.pk}/resources{slash}").json() == [
            {"id": str(basin.pk), "name": "Basin 1", "kind": "basin"},
            {"id": str(room.pk), "name": "Treatment room", "kind": "room"},
        ]


def test_staff_show_active_staff_with_their_active_services(api_client, salon, staff, services):
    services[1].is_active = False
    services[1].save()
    body = api_client.get(f"/api/business/{salon.pk}/staff").json()
    assert body == [
        {"id": str(staff[0].pk), "name": "Ana", "service_ids": [str(services[2].pk), str(services[0].pk)]},
        {"id": str(staff[1].pk), "name": "Ben", "service_ids": [str(services[0].pk)]},
    ]


def test_hours_list_every_weekday_and_upcoming_closures(api_client, salon, staff, services, time_machine):
    time_machine.move_to(datetime(2030, 6, 1, tzinfo=UTC))
    OpeningHours.objects.filter(business=salon, weekday=0).delete()
    OpeningHours.objects.create(business=salon, weekday=0, start=time(9), end=time(13))
    OpeningHours.objects.create(business=salon, weekday=0, start=time(14), end=time(18))
    TimeOff.objects.create(
        business=salon,
        start=datetime(2030, 7, 1, 23, tzinfo=UTC),
        end=datetime(2030, 7, 2, 23, tzinfo=UTC),
        reason="Summer party",
    )
    TimeOff.objects.create(
        business=salon, start=datetime(2030, 1, 1, tzinfo=UTC), end=datetime(2030, 1, 2, tzinfo=UTC)
    )
    TimeOff.objects.create(
        business=salon, staff=staff[0], start=datetime(2030, 7, 5, tzinfo=UTC), end=datetime(2030, 7, 6, tzinfo=UTC)
    )
    body = api_client.get(f"/api/business/{salon.pk}/hours").json()
    assert body["timezone"] == "Europe/London"
    assert list(body["weekly"]) == ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    assert body["weekly"]["monday"] == [["09:00", "13:00"], ["14:00", "18:00"]]
    assert body["weekly"]["tuesday"] == [["09:00", "18:00"]]
    assert body["weekly"]["sunday"] == []
    assert body["closures"] == [
        {"start": "2030-07-02T00:00:00+01:00", "end": "2030-07-03T00:00:00+01:00", "reason": "Summer party"}
    ]


@pytest.mark.parametrize("endpoint", ["services", "staff", "hours", "resources"])
@pytest.mark.parametrize("business_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid", "1"])
def test_unknown_businesses_are_404(api_client, endpoint, business_id):
    response = api_client.get(f"/api/business/{business_id}/{endpoint}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_services_query_count_does_not_grow(api_client, salon, staff, services, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert len(api_client.get(f"/api/business/{salon.pk}/services").json()) == 3
