"""Slot holds (issue 20, DESIGN §12): a chosen time kept while its chooser signs in."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from booking.errors import NotAllowed, SlotUnavailable
from booking.holds import expired_holds_delete, hold_create
from booking.models import Appointment, SlotHold
from booking.services import Actor, CustomerDetails, appointment_book
from businesses.models import Business
from tests.api_helpers import customer_client, error_code
from tests.factories import CustomerFactory, full_colour, make_appointment

pytestmark = pytest.mark.django_db


def next_weekday(salon, days: int = 3):
    day = timezone.localdate(timezone=salon.zone) + timedelta(days=days)
    return day + timedelta(days=1) if day.weekday() == 6 else day  # closed on Sundays


def at(salon, day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=salon.zone)


def hold(client: APIClient, salon, **body):
    return client.post(f"/api/business/{salon.pk}/holds", body, format="json")


def starts(client: APIClient, salon, service, day, **query) -> dict:
    """Start (ISO) -> staff ids free then, as the public availability answers."""
    answer = client.get(
        f"/api/business/{salon.pk}/availability", {"service": str(service.pk), "date": day.isoformat(), **query}
    )
    assert answer.status_code == 200, answer.content
    return {datetime.fromisoformat(slot["start"]): set(slot["staff_ids"]) for slot in answer.json()["slots"]}


def book_body(salon, service, start, **fields) -> dict:
    return {"business_id": str(salon.pk), "service_id": str(service.pk), "start": start.isoformat(), **fields}


def test_a_hold_keeps_the_time_from_everyone_else_until_it_expires(salon, staff, services):
    cut = services[0]
    day = next_weekday(salon)
    ten = at(salon, day, 10)
    answer = hold(APIClient(), salon, service_id=str(cut.pk), staff_id=str(staff[0].pk), start=ten.isoformat())
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert set(body) == {"hold_token", "expires_at", "staff_id", "start", "end"}
    assert body["staff_id"] == str(staff[0].pk)
    assert datetime.fromisoformat(body["start"]) == ten
    assert datetime.fromisoformat(body["end"]) == ten + cut.duration
    assert datetime.fromisoformat(body["expires_at"]) - timezone.now() <= timedelta(minutes=salon.hold_minutes)
    assert SlotHold.objects.get().token_hash != body["hold_token"]  # only its hash is kept

    free = starts(APIClient(), salon, cut, day)
    assert str(staff[0].pk) not in free[ten] and str(staff[1].pk) in free[ten]
    assert str(staff[0].pk) not in free[ten - timedelta(minutes=15)]  # it would run into the hold
    assert ten not in starts(APIClient(), salon, cut, day, staff=str(staff[0].pk))
    # ...but not from the holder's own, who says so.
    assert ten in starts(APIClient(), salon, cut, day, staff=str(staff[0].pk), hold_token=body["hold_token"])

    with time_machine.travel(timezone.now() + timedelta(minutes=salon.hold_minutes, seconds=1)):
        # No cleanup has run: the expired row is still there and counts for nothing.
        assert SlotHold.objects.exists()
        assert str(staff[0].pk) in starts(APIClient(), salon, cut, day)[ten]
        _, customer = customer_client("erin@example.com")
        booked = appointment_book(
            business=salon, service=cut, staff=staff[0], start=ten, by=Actor(user=None, label="e"), customer=customer
        )
        assert booked.staff == staff[0]


def test_the_holder_books_the_held_time_and_nobody_else_can(salon, staff, services):
    cut = services[0]
    day = next_weekday(salon)
    ten = at(salon, day, 10)
    token = hold(APIClient(), salon, service_id=str(cut.pk), staff_id=str(staff[0].pk), start=ten.isoformat())
    token = token.json()["hold_token"]

    other, _ = customer_client("other@example.com")
    taken = other.post(
        "/api/appointments/create", book_body(salon, cut, ten, staff_id=str(staff[0].pk)), format="json"
    )
    assert taken.status_code == 409 and error_code(taken) == "slot_unavailable"
    forged = other.post(
        "/api/appointments/create",
        book_body(salon, cut, ten, staff_id=str(staff[0].pk), hold_token="not-the-token"),
        format="json",
    )
    assert forged.status_code == 409

    holder, customer = customer_client("holder@example.com")
    booked = holder.post(
        "/api/appointments/create",
        book_body(salon, cut, ten, staff_id=str(staff[0].pk), hold_token=token),
        format="json",
    )
    assert booked.status_code == 201, booked.content
    assert booked.json()["staff_id"] == str(staff[0].pk)
    assert not SlotHold.objects.exists()  # spent
    assert Appointment.objects.get().customer == customer


def test_a_hold_for_anyone_keeps_the_stylist_booking_would_pick_and_the_booking_gets_them(salon, staff, services):
    cut = services[0]
    day = next_weekday(salon)
    ten = at(salon, day, 10)
    # Ana has more booked that day: "anyone" picks Ben, and the hold keeps Ben.
    make_appointment(staff=staff[0], service=cut, customer=CustomerFactory(), start=at(salon, day, 15))
    answer = hold(APIClient(), salon, service_id=str(cut.pk), start=ten.isoformat())
    assert answer.json()["staff_id"] == str(staff[1].pk)
    # Ben then books a long lunch elsewhere in the day: he is now the busier, yet the
    # holder's booking for anyone still gets the stylist kept for them.
    make_appointment(staff=staff[1], service=services[1], customer=CustomerFactory(), start=at(salon, day, 13))
    holder, _ = customer_client("holder@example.com")
    booked = holder.post(
        "/api/appointments/create",
        book_body(salon, cut, ten, hold_token=answer.json()["hold_token"]),
        format="json",
    )
    assert booked.status_code == 201, booked.content
    assert booked.json()["staff_id"] == str(staff[1].pk)


def test_one_hold_per_holder_a_new_choice_lets_the_old_time_go(salon, staff, services):
    cut = services[0]
    day = next_weekday(salon)
    ten, eleven, noon = at(salon, day, 10), at(salon, day, 11), at(salon, day, 12)
    anonymous = APIClient()
    first = hold(anonymous, salon, service_id=str(cut.pk), staff_id=str(staff[0].pk), start=ten.isoformat()).json()
    second = hold(
        anonymous,
        salon,
        service_id=str(cut.pk),
        staff_id=str(staff[0].pk),
        start=eleven.isoformat(),
        hold_token=first["hold_token"],
    )
    assert second.status_code == 201
    assert list(SlotHold.objects.values_list("start", flat=True)) == [eleven]

    # A signed-in customer's new hold replaces their old one without naming it.
    signed_in, customer = customer_client("holder@example.com")
    hold(signed_in, salon, service_id=str(cut.pk), staff_id=str(staff[1].pk), start=ten.isoformat())
    hold(signed_in, salon, service_id=str(cut.pk), staff_id=str(staff[1].pk), start=noon.isoformat())
    assert list(SlotHold.objects.filter(customer=customer).values_list("start", flat=True)) == [noon]
    assert SlotHold.objects.count() == 2


def test_releasing_a_hold_frees_the_time(salon, staff, services):
    cut = services[0]
    day = next_weekday(salon)
    ten = at(salon, day, 10)
    token = hold(APIClient(), salon, service_id=str(cut.pk), staff_id=str(staff[0].pk), start=ten.isoformat()).json()[
        "hold_token"
    ]
    assert APIClient().delete(f"/api/holds/{token}").status_code == 204
    assert str(staff[0].pk) in starts(APIClient(), salon, cut, day)[ten]
    gone = APIClient().delete(f"/api/holds/{token}")
    assert gone.status_code == 404 and error_code(gone) == "not_found"


def test_a_held_or_taken_time_cannot_be_held_again(salon, staff, services):
    cut = services[0]
    day = next_weekday(salon)
    ten = at(salon, day, 10)
    body = {"service_id": str(cut.pk), "staff_id": str(staff[0].pk), "start": ten.isoformat()}
    assert hold(APIClient(), salon, **body).status_code == 201
    again = hold(APIClient(), salon, **body)
    assert again.status_code == 409 and error_code(again) == "slot_unavailable"
    make_appointment(staff=staff[1], service=cut, customer=CustomerFactory(), start=ten)
    anyone = hold(APIClient(), salon, service_id=str(cut.pk), start=ten.isoformat())
    assert anyone.status_code == 409  # Ana is held, Ben is booked
    # Once expired, the time can be held again: the old row goes under the lock.
    with time_machine.travel(timezone.now() + timedelta(minutes=salon.hold_minutes, seconds=1)):
        assert hold(APIClient(), salon, **body).status_code == 201
        assert SlotHold.objects.count() == 1
        assert expired_holds_delete() == 0  # the tidy-up leaves an unexpired hold
    with time_machine.travel(timezone.now() + timedelta(minutes=2 * salon.hold_minutes, seconds=2)):
        assert expired_holds_delete() == 1


def test_holds_refuse_bad_input_with_the_error_shape(salon, staff, services, other_salon):
    cut = services[0]
    ten = at(salon, next_weekday(salon), 10).isoformat()
    client = APIClient()
    both = hold(client, salon, service_id=str(cut.pk), services=[str(cut.pk)], start=ten)
    assert both.status_code == 400 and "service_id" in both.json()["error"]["fields"]
    neither = hold(client, salon, start=ten)
    assert neither.status_code == 400
    foreign = hold(client, salon, service_id=str(other_salon.services.get().pk), start=ten)
    assert foreign.status_code == 400 and "service_id" in foreign.json()["error"]["fields"]
    assert hold(client, salon, services=[], start=ten).status_code == 400
    assert hold(client, salon, services=[str(cut.pk)] * 6, start=ten).status_code == 400
    with_staff = hold(client, salon, items=[{"service_id": str(cut.pk)}], staff_id=str(staff[0].pk), start=ten)
    assert with_staff.status_code == 400 and "staff_id" in with_staff.json()["error"]["fields"]
    unknown_item = hold(client, salon, items=[{"service_id": str(cut.pk), "staff_id": str(cut.pk)}], start=ten)
    assert unknown_item.status_code == 400 and "items.0.staff_id" in unknown_item.json()["error"]["fields"]
    assert hold(client, salon, service_id=str(cut.pk), start="tomorrow").status_code == 400
    assert hold(client, salon, service_id=str(cut.pk), start="2027-03-29T10:00:00").status_code == 400  # no zone
    unknown = client.post("/api/business/8e6c323b-df6b-4594-9098-63dd5dcf3879/holds", {}, format="json")
    assert unknown.status_code == 404
    past = hold(client, salon, service_id=str(cut.pk), start=(timezone.now() - timedelta(days=1)).isoformat())
    assert past.status_code == 409 and error_code(past) == "slot_unavailable"
    assert not SlotHold.objects.exists()


def test_holds_are_throttled_per_client_and_per_salon(salon, staff, services, settings):
    cut = services[0]
    day = next_weekday(salon, days=5)
    client = APIClient()
    starts_ = [at(salon, day, 9) + timedelta(minutes=15 * n) for n in range(31)]
    answers = [hold(client, salon, service_id=str(cut.pk), start=s.isoformat()).status_code for s in starts_]
    assert answers[:30] == [201] * 30 and answers[30] == 429

    from django.core.cache import cache

    cache.clear()
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**SimpleRateThrottle.THROTTLE_RATES, "holds_per_business": "2/min"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
        from_a = APIClient(REMOTE_ADDR="203.0.113.1")
        from_b = APIClient(REMOTE_ADDR="203.0.113.2")
        later = at(salon, day + timedelta(days=1), 9)
        assert hold(from_a, salon, service_id=str(cut.pk), start=later.isoformat()).status_code == 201
        assert hold(from_b, salon, service_id=str(cut.pk), start=later.isoformat()).status_code == 201
        limited = hold(from_a, salon, service_id=str(cut.pk), start=(later + timedelta(hours=1)).isoformat())
        assert limited.status_code == 429 and error_code(limited) == "throttled"


def test_a_visit_is_held_item_by_item_and_booked_with_the_token(salon, staff, services):
    colour = full_colour(salon, *staff)
    cut = services[0]
    day = next_weekday(salon)
    ten = at(salon, day, 10)
    answer = hold(
        APIClient(), salon, services=[str(colour.pk), str(cut.pk)], staff_id=str(staff[0].pk), start=ten.isoformat()
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert datetime.fromisoformat(body["end"]) == ten + colour.duration + cut.duration
    assert SlotHold.objects.count() == 2
    assert str(staff[0].pk) not in starts(APIClient(), salon, cut, day).get(ten + colour.duration, set())

    holder, _ = customer_client("holder@example.com")
    booked = holder.post(
        "/api/appointments/create",
        {
            "business_id": str(salon.pk),
            "items": [
                {"service_id": str(colour.pk), "staff_id": str(staff[0].pk)},
                {"service_id": str(cut.pk), "staff_id": str(staff[0].pk)},
            ],
            "start": ten.isoformat(),
            "hold_token": body["hold_token"],
        },
        format="json",
    )
    assert booked.status_code == 201, booked.content
    assert not SlotHold.objects.exists()


def test_staff_book_over_a_customers_hold_only_when_they_override_it(salon, staff, services, bob):
    cut = services[0]
    day = next_weekday(salon)
    ten = at(salon, day, 10)
    hold_create(business=salon, items=[(cut, staff[0])], start=ten)
    member = Actor(user=bob, label=bob.email, is_member=True)
    details = CustomerDetails(email="walkin@example.com")
    with pytest.raises(SlotUnavailable):
        appointment_book(business=salon, service=cut, staff=staff[0], start=ten, by=member, customer_details=details)
    with pytest.raises(NotAllowed):
        appointment_book(
            business=salon,
            service=cut,
            staff=staff[0],
            start=ten,
            by=Actor(user=None, label="customer"),
            customer=CustomerFactory(),
            override_holds=True,
        )
    booked = appointment_book(
        business=salon,
        service=cut,
        staff=staff[0],
        start=ten,
        by=member,
        customer_details=details,
        override_holds=True,
    )
    assert booked.staff == staff[0]
    assert not SlotHold.objects.exists()  # the customer's hold ended with it


def test_a_hold_counts_past_the_availability_cache_and_stops_counting_when_it_expires(
    salon, staff, services, settings
):
    settings.AVAILABILITY_CACHE_SECONDS = 300
    cut = services[0]
    day = next_weekday(salon)
    ten = at(salon, day, 10)
    assert str(staff[0].pk) in starts(APIClient(), salon, cut, day)[ten]  # now kept in the cache
    version = Business.objects.get(pk=salon.pk).availability_version
    hold_create(business=salon, items=[(cut, staff[0])], start=ten)
    salon.refresh_from_db()
    assert salon.holds_until is not None
    assert str(staff[0].pk) not in starts(APIClient(), salon, cut, day)[ten]
    with time_machine.travel(salon.holds_until + timedelta(seconds=1)):
        assert str(staff[0].pk) in starts(APIClient(), salon, cut, day)[ten]
    assert Business.objects.get(pk=salon.pk).availability_version == version  # a hold keeps the cache


def test_a_visit_with_a_stylist_per_item_is_held_as_items(salon, staff, services):
    colour = full_colour(salon, *staff)
    cut = services[0]
    ten = at(salon, next_weekday(salon), 10)
    items = [
        {"service_id": str(colour.pk), "staff_id": str(staff[0].pk)},
        {"service_id": str(cut.pk), "staff_id": str(staff[1].pk)},
    ]
    answer = hold(APIClient(), salon, items=items, start=ten.isoformat())
    assert answer.status_code == 201, answer.content
    assert list(SlotHold.objects.order_by("start").values_list("staff", "service")) == [
        (staff[0].pk, colour.pk),
        (staff[1].pk, cut.pk),
    ]


def test_the_per_salon_limit_counts_every_spelling_of_its_id(salon, staff, services):
    from rest_framework.throttling import SimpleRateThrottle

    cut = services[0]
    day = next_weekday(salon, days=5)
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "holds_per_business": "2/min"}
    spellings = [str(salon.pk), str(salon.pk).upper(), salon.pk.hex]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
        answers = [
            APIClient(REMOTE_ADDR=f"203.0.113.{n}").post(
                f"/api/business/{spelling}/holds",
                {"service_id": str(cut.pk), "start": at(salon, day, 9 + n).isoformat()},
                format="json",
            )
            for n, spelling in enumerate(spellings)
        ]
    assert [answer.status_code for answer in answers] == [201, 201, 429]


def test_booking_over_a_visits_hold_ends_the_whole_hold(salon, staff, services, bob):
    colour = full_colour(salon, *staff)
    cut = services[0]
    ten = at(salon, next_weekday(salon), 10)
    hold_create(business=salon, items=[(colour, staff[0]), (cut, staff[1])], start=ten)
    assert SlotHold.objects.count() == 2
    member = Actor(user=bob, label=bob.email, is_member=True)
    appointment_book(
        business=salon,
        service=cut,
        staff=staff[0],
        start=ten,
        by=member,
        customer_details=CustomerDetails(email="walkin@example.com"),
        override_holds=True,
    )
    assert not SlotHold.objects.exists()  # the cut's row with Ben went with the colour's


def test_a_hold_keeps_the_last_basin_for_its_holder(salon, staff, services):
    from businesses.models import Resource
    from tests.factories import ServiceFactory

    wash = ServiceFactory(business=salon, name="Wash", duration=timedelta(minutes=30), resource_kinds=["basin"])
    wash.staff.set(staff)
    basin = Resource.objects.create(business=salon, name="Last basin", kind="basin")
    ten = at(salon, next_weekday(salon), 10)
    held = hold(APIClient(), salon, service_id=str(wash.pk), staff_id=str(staff[0].pk), start=ten.isoformat())
    assert held.status_code == 201 and SlotHold.objects.get().resources == [basin.pk]

    # Ben is free, but the basin is kept: not offered, not holdable, not bookable by anyone else.
    assert ten not in starts(APIClient(), salon, wash, next_weekday(salon))
    other = hold(APIClient(), salon, service_id=str(wash.pk), staff_id=str(staff[1].pk), start=ten.isoformat())
    assert other.status_code == 409
    with pytest.raises(SlotUnavailable):
        appointment_book(
            business=salon,
            service=wash,
            staff=staff[1],
            start=ten,
            by=Actor(user=None, label="x"),
            customer=CustomerFactory(),
        )
    holder, _ = customer_client("holder@example.com")
    booked = holder.post(
        "/api/appointments/create",
        book_body(salon, wash, ten, staff_id=str(staff[0].pk), hold_token=held.json()["hold_token"]),
        format="json",
    )
    assert booked.status_code == 201, booked.content
    assert Appointment.objects.get().resource_bookings.get().resource == basin
