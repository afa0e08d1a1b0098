"""The management API (DESIGN §11): with one owner token an integrator sets up services,
staff, hours, time off, resources and policy, and lists appointments; staff-role members
read and write time off only; another salon's objects are 404; bad input is a 400 naming
the field."""

from datetime import UTC, datetime, timedelta

import pytest

from booking.models import Appointment
from businesses.models import Business, OpeningHours, Service, StaffMember, TimeOff
from tests.api_helpers import client_for, error_code
from tests.factories import BusinessFactory, CustomerFactory, MembershipFactory, StaffMemberFactory, make_appointment

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, 12, tzinfo=UTC)  # a Friday


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def base(business) -> str:
    return f"/api/business/{business.pk}"


@pytest.mark.django_db(transaction=True)  # availability answers follow the version bumped at commit
def test_an_owner_sets_up_a_new_salon_and_it_can_be_booked(api_client):
    salon = BusinessFactory(name="Fresh", slug="fresh")
    owner = MembershipFactory(business=salon, user__email="olga@fresh.example", role="owner").user
    client = client_for(owner)
    url = base(salon)

    staff = client.post(f"{url}/staff", {"name": "Ana"}, format="json")
    assert staff.status_code == 201, staff.content
    ana = staff.json()
    assert (ana["name"], ana["service_ids"], ana["is_active"]) == ("Ana", [], True)
    service = client.post(
        f"{url}/services",
        {
            "name": "Cut",
            "duration_minutes": 45,
            "price": "35.00",
            "buffer_after_minutes": 15,
            "staff_ids": [ana["id"]],
        },
        format="json",
    )
    assert service.status_code == 201, service.content
    cut = service.json()
    assert (cut["duration_minutes"], cut["price"], cut["buffer_after_minutes"], cut["staff_ids"]) == (
        45,
        "35.00",
        15,
        [ana["id"]],
    )
    hours = client.put(f"{url}/hours", {"monday": [["09:00", "13:00"], ["14:00", "18:00"]]}, format="json")
    assert hours.status_code == 200, hours.content
    assert hours.json()["weekly"]["monday"] == [["09:00", "13:00"], ["14:00", "18:00"]]
    assert hours.json()["weekly"]["tuesday"] == []
    working = client.put(f"{url}/staff/{ana['id']}/hours", {"weekly": {"monday": [["09:00", "12:00"]]}}, format="json")
    assert working.status_code == 200, working.content
    assert client.get(f"{url}/staff/{ana['id']}/hours").json()["weekly"]["monday"] == [["09:00", "12:00"]]

    # The public side sees it at once, as after the same change in the admin.
    assert [s["name"] for s in api_client.get(f"{url}/services").json()] == ["Cut"]
    slots = api_client.get(f"{url}/availability", {"service": cut["id"], "date": "2030-03-04"}).json()["slots"]
    # Every quarter until the cut itself ends by 12:00 (its clean-up may run past the end).
    assert [slot["start"][11:16] for slot in slots] == [
        "09:00",
        "09:15",
        "09:30",
        "09:45",
        "10:00",
        "10:15",
        "10:30",
        "10:45",
        "11:00",
        "11:15",
    ]

    client.patch(f"{url}/services/{cut['id']}", {"duration_minutes": 60}, format="json")
    slots = api_client.get(f"{url}/availability", {"service": cut["id"], "date": "2030-03-04"}).json()["slots"]
    assert slots[-1]["start"][11:16] == "11:00"  # 60 minutes now
    away = client.post(
        f"{url}/time-off",
        {"staff_id": ana["id"], "start": "2030-03-04T09:00:00+00:00", "end": "2030-03-04T10:00:00+00:00"},
        format="json",
    )
    assert away.status_code == 201, away.content
    slots = api_client.get(f"{url}/availability", {"service": cut["id"], "date": "2030-03-04"}).json()["slots"]
    assert slots[0]["start"][11:16] == "10:00"
    assert client.delete(f"{url}/time-off/{away.json()['id']}").status_code == 204
    slots = api_client.get(f"{url}/availability", {"service": cut["id"], "date": "2030-03-04"}).json()["slots"]
    assert slots[0]["start"][11:16] == "09:00"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"monday": [["09:00", "13:00"], ["12:00", "18:00"]]}, "monday"),  # overlapping
        ({"monday": [["13:00", "09:00"]]}, "monday"),  # end before start
        ({"funday": [["09:00", "13:00"]]}, "funday"),
        ({"monday": [["9 o'clock", "13:00"]]}, "monday"),
        ({"monday": "09:00-13:00"}, "monday"),
        (["monday"], "weekly"),
    ],
)
def test_bad_hours_are_a_400_naming_the_day_and_change_nothing(alice, salon, staff, services, body, field):
    before = list(OpeningHours.objects.filter(business=salon).values_list("weekday", "start", "end"))
    response = client_for(alice).put(f"{base(salon)}/hours", body, format="json")
    assert response.status_code == 400, response.content
    assert error_code(response) == "validation_error"
    assert field in response.json()["error"]["fields"]
    assert list(OpeningHours.objects.filter(business=salon).values_list("weekday", "start", "end")) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"staff_ids": ["00000000-0000-0000-0000-000000000000"]}, "staff_ids"),
        ({"processing_offset_minutes": 20, "processing_minutes": 20}, "processing_minutes"),  # past a 30-minute cut
        ({"price": "-1.00"}, "price"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"name": 7}, "name"),
    ],
)
def test_bad_service_changes_are_a_400_naming_the_field(alice, salon, services, body, field):
    response = client_for(alice).patch(f"{base(salon)}/services/{services[0].pk}", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    services[0].refresh_from_db()
    assert (services[0].duration, services[0].price) == (timedelta(minutes=30), 30)


def test_another_salons_ids_are_refused(alice, salon, services, other_salon):
    theirs = StaffMember.objects.get(business=other_salon)
    response = client_for(alice).patch(
        f"{base(salon)}/services/{services[0].pk}", {"staff_ids": [str(theirs.pk)]}, format="json"
    )
    assert response.status_code == 400 and "staff_ids" in response.json()["error"]["fields"]
    # Their service under our salon's path: not ours, a 404.
    their_service = Service.objects.get(business=other_salon)
    assert (
        client_for(alice).patch(f"{base(salon)}/services/{their_service.pk}", {"name": "x"}, format="json").status_code
        == 404
    )


def test_another_owner_gets_404_everywhere(charlie, salon, staff, services):
    client = client_for(charlie)
    url = base(salon)
    for response in (
        client.post(f"{url}/services", {"name": "X", "duration_minutes": 30, "price": "1.00"}, format="json"),
        client.patch(f"{url}/services/{services[0].pk}", {"name": "X"}, format="json"),
        client.delete(f"{url}/staff/{staff[0].pk}"),
        client.put(f"{url}/hours", {"monday": []}, format="json"),
        client.get(f"{url}/staff/{staff[0].pk}/hours"),
        client.get(f"{url}/time-off"),
        client.get(f"{url}/settings"),
        client.get(f"{url}/appointments"),
    ):
        assert response.status_code == 404, response.content
    assert Service.objects.get(pk=services[0].pk).name == "Cut"


def test_staff_read_everything_and_write_only_their_own_time_off(bob, salon, staff, services):
    mine = StaffMemberFactory(business=salon, name="Bob", user=bob)
    client = client_for(bob)
    url = base(salon)
    for path in (f"{url}/staff/{staff[0].pk}/hours", f"{url}/time-off", f"{url}/settings", f"{url}/appointments"):
        assert client.get(path).status_code == 200, path
    for response in (
        client.post(f"{url}/services", {"name": "X", "duration_minutes": 30, "price": "1.00"}, format="json"),
        client.patch(f"{url}/staff/{staff[0].pk}", {"name": "X"}, format="json"),
        client.put(f"{url}/hours", {"monday": []}, format="json"),
        client.patch(f"{url}/settings", {"min_notice_minutes": 0}, format="json"),
        client.post(f"{url}/resources", {"name": "Basin 1", "kind": "basin"}, format="json"),
    ):
        assert response.status_code == 403 and error_code(response) == "permission_denied"
    for someone_else in (str(staff[0].pk), None):  # a colleague's, or closing the salon
        body = {"staff_id": someone_else, "start": "2030-03-05T09:00:00Z", "end": "2030-03-05T12:00:00Z"}
        refused = client.post(f"{url}/time-off", body, format="json")
        assert refused.status_code == 403 and error_code(refused) == "permission_denied"
    owners = TimeOff.objects.create(business=salon, staff=staff[0], start=NOW, end=NOW + timedelta(hours=1))
    assert client.delete(f"{url}/time-off/{owners.pk}").status_code == 403
    owners.delete()
    away = client.post(
        f"{url}/time-off",
        {
            "staff_id": str(mine.pk),
            "start": "2030-03-05T09:00:00Z",
            "end": "2030-03-05T12:00:00Z",
            "reason": "Dentist",
        },
        format="json",
    )
    assert away.status_code == 201
    assert away.json() == {
        "id": away.json()["id"],
        "staff_id": str(mine.pk),
        "start": "2030-03-05T09:00:00+00:00",
        "end": "2030-03-05T12:00:00+00:00",
        "reason": "Dentist",
    }
    assert client.get(f"{url}/time-off").json() == [away.json()]
    assert client.delete(f"{url}/time-off/{away.json()['id']}").status_code == 204
    assert not TimeOff.objects.exists()


def test_time_off_that_ends_before_it_starts_is_a_400(alice, salon, staff):
    response = client_for(alice).post(
        f"{base(salon)}/time-off", {"start": "2030-03-05T12:00:00Z", "end": "2030-03-05T09:00:00Z"}, format="json"
    )
    assert response.status_code == 400 and "end" in response.json()["error"]["fields"]


def test_public_reads_ignore_credentials_and_writes_need_them(api_client, salon, services):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api_client.get(f"{base(salon)}/services").status_code == 200
    response = api_client.post(
        f"{base(salon)}/services", {"name": "X", "duration_minutes": 30, "price": "1"}, format="json"
    )
    assert response.status_code == 401 and error_code(response) == "not_authenticated"


def test_deleting_retires_and_keeps_the_appointments(alice, api_client, salon, staff, services, dana):
    booked = make_appointment(staff=staff[0], service=services[0], customer=dana, start=NOW + timedelta(days=3))
    client = client_for(alice)
    assert client.delete(f"{base(salon)}/services/{services[0].pk}").status_code == 204
    assert client.delete(f"{base(salon)}/staff/{staff[1].pk}").status_code == 204
    assert [s["name"] for s in api_client.get(f"{base(salon)}/services").json()] == ["Colour", "Consultation"]
    assert [s["name"] for s in api_client.get(f"{base(salon)}/staff").json()] == ["Ana"]
    assert Appointment.objects.get(pk=booked.pk).service_id == services[0].pk
    assert client.patch(f"{base(salon)}/services/{services[0].pk}", {"is_active": True}, format="json").json()[
        "is_active"
    ]


def test_settings_are_read_and_changed_with_the_admins_validation(alice, salon):
    client = client_for(alice)
    settings_url = f"{base(salon)}/settings"
    assert client.get(settings_url).json()["max_advance_days"] == 60
    changed = client.patch(
        settings_url, {"min_notice_minutes": 120, "embed_allowed_origins": ["https://alpha.example"]}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["min_notice_minutes"], changed.json()["embed_allowed_origins"]) == (
        120,
        ["https://alpha.example"],
    )
    for body, field in (
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"embed_allowed_origins": ["https://alpha.example/path"]}, "embed_allowed_origins"),
        ({"slot_interval_minutes": 1}, "slot_interval_minutes"),
    ):
        response = client.patch(settings_url, body, format="json")
        assert response.status_code == 400 and field in response.json()["error"]["fields"], response.content
    assert Business.objects.get(pk=salon.pk).min_notice_minutes == 120


def test_appointments_are_listed_filtered_and_cursor_paged(alice, salon, staff, services, other_salon):
    erin, finn = CustomerFactory(email="erin@example.com"), CustomerFactory(email="finn@example.com")
    monday = datetime(2030, 3, 4, 9, tzinfo=UTC)
    first = make_appointment(staff=staff[0], service=services[0], customer=erin, start=monday)
    second = make_appointment(staff=staff[1], service=services[0], customer=finn, start=monday + timedelta(hours=1))
    third = make_appointment(staff=staff[0], service=services[0], customer=finn, start=monday + timedelta(days=1))
    make_appointment(
        staff=staff[0], service=services[0], customer=erin, start=monday + timedelta(hours=3), status="cancelled"
    )
    make_appointment(
        staff=StaffMember.objects.get(business=other_salon),
        service=Service.objects.get(business=other_salon),
        customer=erin,
        start=monday,
    )
    client = client_for(alice)
    url = f"{base(salon)}/appointments"

    page = client.get(url, {"status": "confirmed", "page_size": 2}).json()
    assert set(page) == {"next", "previous", "results"}
    assert [a["id"] for a in page["results"]] == [str(first.pk), str(second.pk)]
    rest = client.get(page["next"]).json()
    assert [a["id"] for a in rest["results"]] == [str(third.pk)] and rest["next"] is None

    assert [a["id"] for a in client.get(url, {"from": "2030-03-05", "to": "2030-03-05"}).json()["results"]] == [
        str(third.pk)
    ]
    mine = client.get(url, {"staff": str(staff[1].pk)}).json()["results"]
    assert [a["id"] for a in mine] == [str(second.pk)]
    assert len(client.get(url, {"to": "2030-03-04"}).json()["results"]) == 3  # with the cancelled one

    for query, field in (
        ({"staff": str(StaffMember.objects.get(business=other_salon).pk)}, "staff"),
        ({"from": "4 March"}, "from"),
        ({"status": ""}, "status"),
    ):
        response = client.get(url, query)
        assert response.status_code == 400 and field in response.json()["error"]["fields"], response.content


def test_the_admin_refuses_overlapping_opening_hours(client, alice, salon):
    client.force_login(alice)
    page = client.get(f"/admin/businesses/business/{salon.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name != "logo" and not isinstance(value, (list, dict))
    }
    data.update(
        {
            "name": salon.name,
            "slug": salon.slug,
            "opening_hours-TOTAL_FORMS": "2",
            "opening_hours-INITIAL_FORMS": "0",
            "opening_hours-0-weekday": "0",
            "opening_hours-0-start": "09:00",
            "opening_hours-0-end": "13:00",
            "opening_hours-1-weekday": "0",
            "opening_hours-1-start": "12:00",
            "opening_hours-1-end": "18:00",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    response = client.post(f"/admin/businesses/business/{salon.pk}/change/", data)
    assert response.status_code == 200
    assert "Monday: 09:00–13:00 and 12:00–18:00 overlap." in response.content.decode()
    assert not OpeningHours.objects.filter(business=salon).exists()


def test_malformed_ids_and_cursors_are_client_errors(alice, salon):
    client = client_for(alice)
    assert client.delete(f"{base(salon)}/time-off/%C2%B2").status_code == 404  # "²" is a digit to Python
    assert client.delete(f"{base(salon)}/time-off/99999999999999999999999").status_code == 404
    forged = client.get(f"{base(salon)}/appointments", {"cursor": "cD1nYXJiYWdl"})  # p=garbage
    assert forged.status_code in (400, 404) and error_code(forged) in ("validation_error", "not_found")


def test_a_token_named_for_one_salon_works_only_there(alice, salon, other_salon):
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    from integrations.models import ApiToken

    MembershipFactory(business=other_salon, user=alice, role="owner")  # Alice owns both
    token, key = AuthToken.objects.create(user=alice)
    ApiToken.objects.create(token=token, business=salon, name="Alpha only")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"{base(salon)}/settings").status_code == 200
    assert client.get(f"{base(other_salon)}/settings").status_code == 404
    assert client_for(alice).get(f"{base(other_salon)}/settings").status_code == 200  # an unnamed one: both
