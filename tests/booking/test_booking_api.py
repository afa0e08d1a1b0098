"""The booking API against the contract of DESIGN §5."""

from datetime import UTC, datetime, timedelta

import pytest

from booking.models import Appointment
from booking.services import Actor, appointment_book
from tests.api_helpers import client_for, customer_client, error_code

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, 12, tzinfo=UTC)  # Friday; Europe/London is on GMT
MONDAY_10 = "2030-03-04T10:00:00+00:00"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def dana_api(db):
    return customer_client("dana@example.com")


@pytest.fixture
def erin_api(db):
    return customer_client("erin@example.com")


def create_body(salon, service, start=MONDAY_10, **extra):
    return {"business_id": str(salon.pk), "service_id": str(service.pk), "start": start, **extra}


def booked(salon, service, staff, customer, start="2030-03-04T10:00:00+00:00", by=None):
    return appointment_book(
        business=salon,
        service=service,
        staff=staff,
        start=datetime.fromisoformat(start),
        by=by or Actor.system(),
        customer=customer,
    )


# --- availability ----------------------------------------------------------------------------


AVAILABILITY_PATHS = [
    "/api/business/{id}/availability?service={service}&date=2030-03-04",
    "/api/customer/availability/{id}/?service={service}&date=2030-03-04",
    "/api/booking/availability?business={id}&service={service}&date=2030-03-04",
]


@pytest.mark.parametrize("path", AVAILABILITY_PATHS)
def test_availability_answers_in_the_contract_shape(api_client, salon, staff, services, path):
    response = api_client.get(path.format(id=salon.pk, service=services[0].pk))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"business_id", "service_id", "timezone", "slots"}
    assert (body["business_id"], body["service_id"], body["timezone"]) == (
        str(salon.pk),
        str(services[0].pk),
        "Europe/London",
    )
    first = body["slots"][0]
    assert first == {
        "start": "2030-03-04T09:00:00+00:00",
        "end": "2030-03-04T09:30:00+00:00",
        "staff_ids": [str(staff[0].pk), str(staff[1].pk)],
    }
    assert [s["start"] for s in body["slots"]] == sorted(s["start"] for s in body["slots"])


def test_availability_uses_the_business_offset_never_z(api_client, salon, staff, services):
    body = api_client.get(
        f"/api/business/{salon.pk}/availability?service={services[0].pk}&date=2030-04-01&staff={staff[0].pk}"
    ).json()
    assert body["slots"][0]["start"] == "2030-04-01T09:00:00+01:00"  # British Summer Time
    assert all(s["staff_ids"] == [str(staff[0].pk)] for s in body["slots"])


def test_availability_over_several_days_and_default_today(api_client, salon, staff, services):
    days = api_client.get(f"/api/business/{salon.pk}/availability?service={services[0].pk}&date=2030-03-04&days=3")
    assert {s["start"][:10] for s in days.json()["slots"]} == {"2030-03-04", "2030-03-05", "2030-03-06"}
    today = api_client.get(f"/api/business/{salon.pk}/availability?service={services[0].pk}").json()
    assert today["slots"][0]["start"] == "2030-03-01T13:00:00+00:00"  # now 12:00 + 60 min notice


def test_a_past_date_has_no_slots(api_client, salon, staff, services):
    body = api_client.get(f"/api/business/{salon.pk}/availability?service={services[0].pk}&date=2030-02-25").json()
    assert body["slots"] == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "service=not-a-uuid",
        "service={unknown}",
        "service={foreign}",
        "service={service}&date=2030-02-30",
        "service={service}&date=04/03/2030",
        "service={service}&days=0",
        "service={service}&days=63",
        "service={service}&days=many",
        "service={service}&staff={foreign_staff}",
        "service={service}&staff=nope",
    ],
)
def test_bad_availability_queries_are_400(api_client, salon, staff, services, other_salon, query):
    values = {
        "service": services[0].pk,
        "unknown": "00000000-0000-0000-0000-000000000000",
        "foreign": other_salon.services.get().pk,
        "foreign_staff": other_salon.staff.get().pk,
    }
    response = api_client.get(f"/api/business/{salon.pk}/availability?" + query.format(**values))
    assert response.status_code == 400
    assert error_code(response) == "validation_error"


def test_an_unknown_business_in_the_query_is_400_and_in_the_path_404(api_client, services):
    unknown = "00000000-0000-0000-0000-000000000000"
    assert api_client.get(f"/api/booking/availability?business={unknown}&service={services[0].pk}").status_code == 400
    assert api_client.get(f"/api/business/{unknown}/availability?service={services[0].pk}").status_code == 404


def test_availability_query_count_is_pinned(api_client, salon, staff, services, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = api_client.get(
            f"/api/business/{salon.pk}/availability?service={services[0].pk}&date=2030-03-04&days=14"
        )
    assert response.status_code == 200


# --- create -----------------------------------------------------------------------------------


def test_a_customer_books_for_themselves(dana_api, salon, staff, services):
    client, dana = dana_api
    response = client.post("/api/appointments/create", create_body(salon, services[0], notes="hi"), format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "id",
        "business_id",
        "service_id",
        "staff_id",
        "customer_id",
        "start",
        "end",
        "status",
        "price",
        "source",
        "notes",
        "visit_id",
        "resource_ids",
    }
    assert body["customer_id"] == str(dana.pk) and body["resource_ids"] == [] and body["visit_id"] is None
    assert (body["start"], body["end"], body["status"], body["price"], body["source"], body["notes"]) == (
        MONDAY_10,
        "2030-03-04T10:30:00+00:00",
        "confirmed",
        "30.00",
        "api",
        "hi",
    )
    assert body["staff_id"] in {str(m.pk) for m in staff}


@pytest.mark.parametrize(
    "path", ["/api/appointments/create/", "/api/booking/create", "/api/customer/book-appointment"]
)
def test_every_create_path_books(dana_api, salon, staff, services, path):
    client, _ = dana_api
    response = client.post(path, create_body(salon, services[0], source="widget"), format="json")
    assert response.status_code == 201
    assert Appointment.objects.get(pk=response.json()["id"]).source == "widget"


def test_any_offset_is_accepted_and_answered_in_the_business_offset(dana_api, salon, staff, services):
    client, _ = dana_api
    response = client.post(
        "/api/appointments/create", create_body(salon, services[0], "2030-03-04T11:00:00+01:00"), format="json"
    )
    assert response.json()["start"] == MONDAY_10
    response = client.post(
        "/api/appointments/create", create_body(salon, services[0], "2030-03-04T11:00:00Z"), format="json"
    )
    assert response.json()["start"] == "2030-03-04T11:00:00+00:00"


def test_anonymous_creates_are_401(api_client, salon, staff, services):
    response = api_client.post("/api/appointments/create", create_body(salon, services[0]), format="json")
    assert response.status_code == 401 and error_code(response) == "not_authenticated"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": "2030-03-04T10:00:00"}, "start"),
        ({"start": "next monday"}, "start"),
        ({"start": 12}, "start"),
        ({"service_id": "00000000-0000-0000-0000-000000000000"}, "service_id"),
        ({"service_id": "abc"}, "service_id"),
        ({"staff_id": "00000000-0000-0000-0000-000000000000"}, "staff_id"),
        ({"business_id": "00000000-0000-0000-0000-000000000000"}, "business_id"),
        ({"source": "admin"}, "source"),
        ({"notes": ["a"]}, "notes"),
    ],
)
def test_bad_create_bodies_are_400(dana_api, salon, staff, services, change, field):
    client, _ = dana_api
    response = client.post("/api/appointments/create", {**create_body(salon, services[0]), **change}, format="json")
    assert response.status_code == 400
    assert error_code(response) == "validation_error"
    assert field in response.json()["error"]["fields"]
    assert not Appointment.objects.exists()


def test_foreign_ids_are_400(dana_api, salon, staff, services, other_salon):
    client, _ = dana_api
    body = create_body(salon, services[0], staff_id=str(other_salon.staff.get().pk))
    assert client.post("/api/appointments/create", body, format="json").status_code == 400
    body = create_body(salon, other_salon.services.get())
    assert client.post("/api/appointments/create", body, format="json").status_code == 400


def test_malformed_bodies_are_400_or_415(dana_api, salon, services):
    client, _ = dana_api
    assert client.post("/api/appointments/create", "{", content_type="application/json").status_code == 400
    assert client.post("/api/appointments/create", [1], format="json").status_code == 400
    assert client.post("/api/appointments/create", "a=b", content_type="text/plain").status_code == 415


@pytest.mark.parametrize(
    "start",
    [
        MONDAY_10,
        "2030-03-04T10:05:00+00:00",
        "2030-03-04T07:00:00+00:00",
        "2030-03-01T12:30:00+00:00",
        "2030-06-01T10:00:00+00:00",
    ],
)
def test_unavailable_times_are_409(dana_api, salon, staff, services, start):
    client, _ = dana_api
    someone = _customer("x@example.com")
    for member in staff:
        booked(salon, services[0], member, someone, MONDAY_10)
    response = client.post("/api/appointments/create", create_body(salon, services[0], start), format="json")
    assert response.status_code == 409 and error_code(response) == "slot_unavailable"


def _customer(email):
    from tests.factories import CustomerFactory

    return CustomerFactory(email=email)


def test_the_booking_limit_is_409(dana_api, salon, staff, services):
    salon.max_upcoming_per_customer = 1
    salon.save()
    client, _ = dana_api
    assert client.post("/api/appointments/create", create_body(salon, services[0]), format="json").status_code == 201
    second = client.post(
        "/api/appointments/create", create_body(salon, services[0], "2030-03-05T10:00:00+00:00"), format="json"
    )
    assert second.status_code == 409 and error_code(second) == "booking_limit_reached"


def test_staff_book_for_a_customer_by_email(salon, staff, services, bob):
    client = client_for(bob)
    body = create_body(salon, services[0], customer={"email": "Walk.In@Example.com", "first_name": "Walk"})
    response = client.post("/api/appointments/create", body, format="json")
    assert response.status_code == 201
    appointment = Appointment.objects.get(pk=response.json()["id"])
    assert appointment.customer.email == "walk.in@example.com"
    # Staff may book inside the minimum notice (not so customers).
    soon = create_body(salon, services[0], "2030-03-01T12:15:00+00:00", customer={"email": "walk.in@example.com"})
    assert client.post("/api/appointments/create", soon, format="json").status_code == 201


def test_staff_must_say_who_the_booking_is_for(salon, staff, services, bob):
    response = client_for(bob).post("/api/appointments/create", create_body(salon, services[0]), format="json")
    assert response.status_code == 400 and "customer" in response.json()["error"]["fields"]


def test_customers_may_not_book_for_someone_else(dana_api, salon, staff, services):
    client, _ = dana_api
    body = create_body(salon, services[0], customer={"email": "victim@example.com"})
    response = client.post("/api/appointments/create", body, format="json")
    assert response.status_code == 403 and error_code(response) == "permission_denied"


def test_staff_of_another_salon_are_just_customers_here(salon, staff, services, charlie):
    response = client_for(charlie).post("/api/appointments/create", create_body(salon, services[0]), format="json")
    assert response.status_code == 201
    assert Appointment.objects.get().customer.email == "charlie@beta.example"


# --- read, cancel, reschedule, complete, no-show -----------------------------------------------------


@pytest.fixture
def danas_booking(dana_api, salon, staff, services):
    _client, dana = dana_api
    return booked(salon, services[0], staff[0], dana)


def test_customers_see_only_their_own_appointments(dana_api, erin_api, danas_booking):
    dana_client, _ = dana_api
    erin_client, _ = erin_api
    assert dana_client.get(f"/api/appointments/{danas_booking.pk}").json()["id"] == str(danas_booking.pk)
    for method, path in [
        ("get", ""),
        ("put", "/cancel"),
        ("put", "/reschedule"),
        ("put", "/complete"),
        ("put", "/no-show"),
    ]:
        response = getattr(erin_client, method)(f"/api/appointments/{danas_booking.pk}{path}", {}, format="json")
        assert response.status_code == 404, path
        assert error_code(response) == "not_found"


def test_staff_see_their_business_appointments_only(danas_booking, bob, charlie):
    assert client_for(bob).get(f"/api/appointments/{danas_booking.pk}/").status_code == 200
    assert client_for(charlie).get(f"/api/appointments/{danas_booking.pk}").status_code == 404


@pytest.mark.parametrize("appointment_id", ["00000000-0000-0000-0000-000000000000", "nope", "123"])
def test_unknown_appointments_are_404(dana_api, appointment_id):
    client, _ = dana_api
    assert client.get(f"/api/appointments/{appointment_id}").status_code == 404


def test_anonymous_reads_are_401(api_client, danas_booking):
    assert api_client.get(f"/api/appointments/{danas_booking.pk}").status_code == 401


def test_customer_cancels_outside_the_window(dana_api, danas_booking):
    client, _ = dana_api
    response = client.put(f"/api/appointments/{danas_booking.pk}/cancel", {"reason": "ill"}, format="json")
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (str(danas_booking.pk), "cancelled")
    again = client.put(f"/api/appointments/{danas_booking.pk}/cancel/", {}, format="json")
    assert again.status_code == 409 and error_code(again) == "invalid_state"


def test_customer_cancel_inside_the_window_is_409(dana_api, salon, staff, services):
    client, dana = dana_api
    soon = booked(salon, services[0], staff[0], dana, "2030-03-01T15:00:00+00:00")
    response = client.put(f"/api/appointments/{soon.pk}/cancel", {}, format="json")
    assert response.status_code == 409 and error_code(response) == "too_late_to_cancel"
    assert client_for_staff(salon).put(f"/api/appointments/{soon.pk}/cancel", {}, format="json").status_code == 200


def client_for_staff(salon):
    from tests.factories import MembershipFactory

    return client_for(MembershipFactory(business=salon, role="staff").user)


def test_reschedule_keeps_the_id(dana_api, danas_booking, staff):
    client, _ = dana_api
    response = client.put(
        f"/api/appointments/{danas_booking.pk}/reschedule",
        {"start": "2030-03-05T14:00:00+00:00", "staff_id": str(staff[1].pk)},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["start"], body["staff_id"]) == (
        str(danas_booking.pk),
        "2030-03-05T14:00:00+00:00",
        str(staff[1].pk),
    )


def test_reschedule_errors(dana_api, danas_booking, salon, services, staff, other_salon):
    client, dana = dana_api
    booked(salon, services[0], staff[0], dana, "2030-03-05T14:00:00+00:00")
    taken = client.put(
        f"/api/appointments/{danas_booking.pk}/reschedule", {"start": "2030-03-05T14:00:00+00:00"}, format="json"
    )
    assert taken.status_code == 409 and error_code(taken) == "slot_unavailable"
    naive = client.put(
        f"/api/appointments/{danas_booking.pk}/reschedule", {"start": "2030-03-05T14:00:00"}, format="json"
    )
    assert naive.status_code == 400
    foreign = client.put(
        f"/api/appointments/{danas_booking.pk}/reschedule",
        {"start": "2030-03-05T16:00:00+00:00", "staff_id": str(other_salon.staff.get().pk)},
        format="json",
    )
    assert foreign.status_code == 400 and "staff_id" in foreign.json()["error"]["fields"]


def test_complete_and_no_show_are_for_staff(dana_api, salon, staff, services, bob):
    client, dana = dana_api
    past = booked(salon, services[0], staff[0], dana, "2030-02-25T10:00:00+00:00")
    other = booked(salon, services[0], staff[0], dana, "2030-02-26T10:00:00+00:00")
    refused = client.put(f"/api/appointments/{past.pk}/complete", format="json")
    assert refused.status_code == 403 and error_code(refused) == "permission_denied"
    staff_client = client_for(bob)
    assert staff_client.put(f"/api/appointments/{past.pk}/complete", format="json").json()["status"] == "completed"
    twice = staff_client.put(f"/api/appointments/{past.pk}/complete", format="json")
    assert twice.status_code == 409 and error_code(twice) == "invalid_state"
    assert staff_client.put(f"/api/appointments/{other.pk}/no-show/", format="json").json()["status"] == "no_show"


def test_wrong_methods_are_405(dana_api, danas_booking):
    client, _ = dana_api
    assert client.get(f"/api/appointments/{danas_booking.pk}/cancel").status_code == 405
    response = client.post(f"/api/appointments/{danas_booking.pk}/reschedule", {}, format="json")
    assert response.status_code == 405 and error_code(response) == "method_not_allowed"
    assert client.get("/api/appointments/create").status_code == 405


# --- the customer's list ----------------------------------------------------------------------------


def test_the_list_shows_only_mine_with_status_filters(dana_api, erin_api, salon, staff, services, bob):
    client, dana = dana_api
    _, erin = erin_api
    upcoming = booked(salon, services[0], staff[0], dana, MONDAY_10)
    past = booked(salon, services[0], staff[0], dana, "2030-02-25T10:00:00+00:00")
    cancelled = booked(salon, services[0], staff[1], dana, "2030-03-05T10:00:00+00:00")
    client_for(bob).put(f"/api/appointments/{cancelled.pk}/cancel", {}, format="json")
    booked(salon, services[0], staff[1], erin, MONDAY_10)

    everything = client.get("/api/customer/appointments").json()
    assert set(everything) == {"count", "next", "previous", "results"}
    assert everything["count"] == 3
    ids = lambda status: [a["id"] for a in client.get(f"/api/customer/appointments?status={status}").json()["results"]]  # noqa: E731
    assert ids("upcoming") == [str(upcoming.pk)]
    assert ids("past") == [str(past.pk)]
    assert ids("cancelled") == [str(cancelled.pk)]
    bad = client.get("/api/customer/appointments?status=soon")
    assert bad.status_code == 400 and error_code(bad) == "validation_error"


def test_the_list_is_paginated_and_its_queries_pinned(dana_api, salon, staff, services, django_assert_max_num_queries):
    client, dana = dana_api
    for day in range(4, 10):
        booked(salon, services[0], staff[0], dana, f"2030-03-{day:02d}T10:00:00+00:00")
    with django_assert_max_num_queries(6):  # constant: the page's resources come in one prefetch
        page = client.get("/api/customer/appointments?page_size=4").json()
    assert page["count"] == 6
    assert len(page["results"]) == 4 and page["next"]


def test_the_list_needs_a_token(api_client):
    assert api_client.get("/api/customer/appointments").status_code == 401


# --- idempotency -------------------------------------------------------------------------------------


def test_the_same_key_and_body_replays_the_first_answer(dana_api, salon, staff, services):
    client, _ = dana_api
    first = client.post(
        "/api/appointments/create", create_body(salon, services[0]), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = client.post(
        "/api/appointments/create", create_body(salon, services[0]), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Appointment.objects.count() == 1


def test_the_same_key_with_another_body_is_422(dana_api, salon, staff, services):
    client, _ = dana_api
    client.post("/api/appointments/create", create_body(salon, services[0]), format="json", HTTP_IDEMPOTENCY_KEY="k")
    other = client.post(
        "/api/appointments/create",
        create_body(salon, services[0], "2030-03-05T10:00:00+00:00"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert other.status_code == 422 and error_code(other) == "idempotency_key_reused"
    assert Appointment.objects.count() == 1


def test_errors_are_replayed_too(dana_api, salon, staff, services):
    client, _dana = dana_api
    someone = _customer("y@example.com")
    for member in staff:
        booked(salon, services[0], member, someone)
    first = client.post(
        "/api/appointments/create", create_body(salon, services[0]), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    again = client.post(
        "/api/appointments/create", create_body(salon, services[0]), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert first.status_code == again.status_code == 409
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"


def test_keys_of_two_callers_do_not_collide(dana_api, erin_api, salon, staff, services):
    dana_client, _ = dana_api
    erin_client, _ = erin_api
    a = dana_client.post(
        "/api/appointments/create", create_body(salon, services[0]), format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    b = erin_client.post(
        "/api/appointments/create", create_body(salon, services[0]), format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


def test_keys_expire_after_a_day(dana_api, salon, staff, services, time_machine):
    client, _ = dana_api
    client.post("/api/appointments/create", create_body(salon, services[0]), format="json", HTTP_IDEMPOTENCY_KEY="k")
    time_machine.move_to(NOW + timedelta(hours=25), tick=False)
    later = client.post(
        "/api/appointments/create",
        create_body(salon, services[0], "2030-03-05T10:00:00+00:00"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert later.status_code == 201
