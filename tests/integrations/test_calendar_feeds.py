"""Staff and salon calendar feeds: what they list, in UTC with the salon's zone named, the
customer invites' UIDs, cheap polling (ETag, Last-Modified, 304) and links that can be
replaced."""

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from booking.ics import appointment_ics
from booking.services import Actor, appointment_book, appointment_cancel
from businesses.models import StaffMember
from config.request_log import logged_path
from integrations.feeds import feed_for, feed_regenerate, feed_url
from tests.factories import StaffMemberFactory, make_appointment

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 27, 12, tzinfo=UTC)  # the Wednesday before London's clocks go forward
DESK = Actor.system("front desk")


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def path_of(feed) -> str:
    return feed_url(feed).removeprefix("http://127.0.0.1:8000")


def events_of(response) -> list:
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content).walk("VEVENT")


def test_a_staff_feed_lists_their_standing_appointments_in_utc(client, salon, staff, services, dana):
    ana, ben = staff
    cut = services[0]
    # 10:00 in London on the Saturday before the clocks go forward (10:00 UTC) and on the
    # Monday after (09:00 UTC).
    before = appointment_book(
        business=salon, service=cut, staff=ana, start=datetime(2030, 3, 30, 10, tzinfo=UTC), by=DESK, customer=dana
    )
    after = appointment_book(
        business=salon, service=cut, staff=ana, start=datetime(2030, 4, 1, 9, tzinfo=UTC), by=DESK, customer=dana
    )
    make_appointment(staff=ana, service=cut, customer=dana, start=NOW - timedelta(days=10), status="completed")
    make_appointment(staff=ana, service=cut, customer=dana, start=NOW - timedelta(days=40), status="completed")
    make_appointment(staff=ana, service=cut, customer=dana, start=NOW + timedelta(days=2), status="cancelled")
    make_appointment(staff=ben, service=cut, customer=dana, start=NOW + timedelta(days=2))
    make_appointment(staff=ana, service=cut, customer=dana, start=NOW + timedelta(days=salon.max_advance_days + 3))

    response = client.get(path_of(feed_for(salon, ana)))
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["x-wr-timezone"]) == "Europe/London"
    events = calendar.walk("VEVENT")
    assert len(events) == 3  # ten days ago, and both sides of the change; not 40 days ago, cancelled, Ben's, too far
    assert [e["dtstart"].to_ical() for e in events[1:]] == [b"20300330T100000Z", b"20300401T090000Z"]
    assert "Cut" in str(events[-1]["summary"]) and "Dana" in str(events[-1]["summary"])
    for event, booked in zip(events[1:], (before, after), strict=True):
        invite = Calendar.from_ical(appointment_ics(booked)).walk("VEVENT")[0]
        assert str(event["uid"]) == str(invite["uid"])  # one booking, one event everywhere


def test_the_salon_feed_has_everyone_and_a_visit_is_one_event(client, salon, staff, services, dana):
    ana, ben = staff
    book = {"business": salon, "by": DESK, "customer": dana}
    appointment_book(service=services[0], staff=ana, start=datetime(2030, 3, 28, 9, tzinfo=UTC), **book)
    appointment_book(service=services[0], staff=ben, start=datetime(2030, 3, 28, 9, tzinfo=UTC), **book)
    events = events_of(client.get(path_of(feed_for(salon))))
    assert sorted(str(e["summary"]).split("(")[-1] for e in events) == ["Ana)", "Ben)"]


@pytest.mark.django_db(transaction=True)  # renames bump the salon's version at commit
def test_polling_is_cheap_and_sees_every_change(client, salon, staff, services, dana, django_assert_max_num_queries):
    feed = feed_for(salon, staff[0])
    path = path_of(feed)
    first = client.get(path)
    etag = first["ETag"]
    assert etag and first["Last-Modified"]
    with django_assert_max_num_queries(2):  # the feed and one aggregate
        unchanged = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged["ETag"] == etag
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304

    booked = appointment_book(
        business=salon,
        service=services[0],
        staff=staff[0],
        start=datetime(2030, 3, 28, 9, tzinfo=UTC),
        by=DESK,
        customer=dana,
    )
    after_booking = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert after_booking.status_code == 200 and len(events_of(after_booking)) == 1
    appointment_cancel(appointment=booked, by=DESK)
    after_cancel = client.get(path, HTTP_IF_NONE_MATCH=after_booking["ETag"])
    assert after_cancel.status_code == 200 and events_of(after_cancel) == []
    services[0].name = "Signature cut"
    services[0].save()
    assert client.get(path, HTTP_IF_NONE_MATCH=after_cancel["ETag"]).status_code == 200


def test_a_new_link_replaces_the_old_one(client, salon, staff):
    feed = feed_for(salon, staff[0])
    old = path_of(feed)
    assert client.get(old).status_code == 200
    feed_regenerate(feed)
    assert client.get(old).status_code == 404
    assert client.get(path_of(feed)).status_code == 200


def test_a_token_works_only_under_its_own_kind_and_for_reading(client, salon, staff):
    staff_feed, salon_feed = feed_for(salon, staff[0]), feed_for(salon)
    assert client.get(f"/calendar/business/{staff_feed.token}.ics").status_code == 404
    assert client.get(f"/calendar/staff/{salon_feed.token}.ics").status_code == 404
    assert client.get("/calendar/staff/not-a-token.ics").status_code == 404
    assert client.head(path_of(staff_feed)).status_code == 200
    assert client.post(path_of(staff_feed)).status_code == 405


def test_the_token_is_not_logged():
    assert logged_path("/calendar/staff/SeCrEt_token-123.ics") == "/calendar/staff/….ics"
    assert logged_path("/calendar/business/SeCrEt.ics/") == "/calendar/business/….ics/"
    assert logged_path("/api/business/1/staff") == "/api/business/1/staff"


def test_owners_see_every_feed_link_in_the_admin_and_staff_only_their_own(client, alice, bob, salon, staff):
    ana = staff[0]
    mine = StaffMemberFactory(business=salon, name="Bob", user=bob)
    client.force_login(alice)
    page = client.get(f"/admin/businesses/staffmember/{ana.pk}/change/").content.decode()
    assert feed_url(feed_for(salon, ana)) in page
    assert feed_url(feed_for(salon)) in client.get(f"/admin/businesses/business/{salon.pk}/change/").content.decode()

    client.force_login(bob)
    assert (
        feed_url(feed_for(salon, mine))
        in client.get(f"/admin/businesses/staffmember/{mine.pk}/change/").content.decode()
    )
    assert "Calendar feed" not in client.get(f"/admin/businesses/staffmember/{ana.pk}/change/").content.decode()
    salon_page = client.get(f"/admin/businesses/business/{salon.pk}/change/").content.decode()
    assert feed_for(salon).token not in salon_page


def test_an_owner_replaces_feed_links_from_the_admin(client, alice, salon, staff, other_salon, charlie):
    old = feed_for(salon, staff[0]).token
    theirs = feed_for(other_salon, StaffMember.objects.get(business=other_salon)).token
    client.force_login(alice)
    response = client.post(
        "/admin/businesses/staffmember/",
        {"action": "new_calendar_feed_link", "_selected_action": [staff[0].pk]},
        follow=True,
    )
    assert "1 calendar feed link replaced." in response.content.decode()
    assert feed_for(salon, staff[0]).token != old
    assert feed_for(other_salon, StaffMember.objects.get(business=other_salon)).token == theirs


def test_djangos_own_log_lines_about_a_feed_url_leave_the_token_out(rf):
    """As django.request logs a 404 or 405 (django.utils.log.log_response): the filter on our
    log handler takes the token out of the message and of the request attached."""
    import logging

    from config.request_log import RequestIdFilter

    path = "/calendar/staff/SeCrEt_token-123.ics"
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "%s: %s", ("Not Found", path), None)
    record.request = rf.post(path)
    assert RequestIdFilter().filter(record)
    assert "SeCrEt" not in record.getMessage() and "SeCrEt" not in str(record.request)
    assert record.getMessage() == "Not Found: /calendar/staff/….ics"
