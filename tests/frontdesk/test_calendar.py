"""The front desk calendar: scoping, layout (columns, rows, DST), query counts, actions."""

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from booking.models import Appointment
from booking.services import Actor, CustomerDetails, actor_for, appointment_book
from businesses.models import BusinessMembership, OpeningHours, Resource, TimeOff, WorkingHours
from customers.models import CustomerAccount, CustomerBusinessRelationship
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    StaffMemberFactory,
    make_appointment,
)

MONDAY = date(2030, 3, 4)  # London is on GMT: local = UTC


def at(hour, minute=0, day=MONDAY):
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def calendar(client, salon, **params):
    query = {"business": salon.pk, "date": MONDAY.isoformat(), **params}
    return client.get(reverse("admin:frontdesk-calendar"), query)


def book_cell(client, salon, member, service, at_time="10:15", day="2030-03-04", **extra):
    """Post the front desk's booking form for a walk-in style client (name and phone)."""
    form = {
        "business": salon.pk,
        "staff": member.pk,
        "service": service.pk,
        "date": day,
        "time": at_time,
        "first_name": "Pat",
        "phone": "07911 123456",
        **extra,
    }
    return client.post(reverse("admin:frontdesk-book"), form)


def block_rowspans(html: str) -> dict[str, int]:
    """appointment id -> rowspan of its block."""
    return {
        pk: int(span)
        for span, pk in re.findall(r'<td rowspan="(\d+)" class="block [^"]*" data-appointment="([0-9a-f-]+)"', html)
    }


def test_another_salons_calendar_is_404(client, charlie, salon, staff, services):
    client.force_login(charlie)
    assert calendar(client, salon).status_code == 404


def test_a_one_salon_member_lands_on_their_salon(client, bob, salon, staff, services):
    client.force_login(bob)
    response = client.get(reverse("admin:frontdesk-calendar"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Times in Europe/London" in html
    assert ">Ana" in html and ">Ben" in html


def test_anonymous_users_are_sent_to_the_admin_login(client, salon):
    response = calendar(client, salon)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_blocks_sit_in_their_staff_column_and_rows(client, alice, salon, staff, services, dana):
    ana, ben = staff
    cut, colour, _ = services
    first = make_appointment(staff=ana, service=cut, customer=dana, start=at(10))  # 30 min: 2 rows of 15
    second = make_appointment(staff=ben, service=colour, customer=dana, start=at(11))  # 90 min + buffers
    client.force_login(alice)
    html = calendar(client, salon).content.decode()
    spans = block_rowspans(html)
    assert spans == {str(first.pk): 2, str(second.pk): 6}
    # 09:00 to 18:00 every 15 minutes: 36 rows.
    assert len(re.findall(r'<th scope="row" class="time-col">', html)) == 36
    rows = html.split("<tr")
    row_of_ten = next(r for r in rows if 'class="time-col">10:00<' in r)
    # Ana's block is the first cell after the time in the 10:00 row (Ana is the first column).
    assert f'data-appointment="{first.pk}"' in row_of_ten
    row_of_eleven = next(r for r in rows if 'class="time-col">11:00<' in r)
    assert f'data-appointment="{second.pk}"' in row_of_eleven
    # Colour's buffers (10 before, 15 after) are shaded rows of their own.
    row_of_1045 = next(r for r in rows if 'class="time-col">10:45<' in r)
    assert 'class="buffer"' in row_of_1045
    assert "Casey Customer" in html or "dana" in html.lower()


def test_a_processing_window_is_drawn_lighter_and_stays_bookable(client, alice, salon, staff, services, dana):
    ana = staff[0]
    cut, colour, _ = services
    colour.buffer_before = colour.buffer_after = timedelta(0)
    colour.processing_offset, colour.processing_duration = timedelta(minutes=30), timedelta(minutes=45)
    colour.save()
    coloured = make_appointment(staff=ana, service=colour, customer=dana, start=at(9))  # develops 09:30-10:15
    inside = make_appointment(staff=ana, service=cut, customer=CustomerFactory(), start=at(9, 30))
    client.force_login(alice)
    html = calendar(client, salon).content.decode()
    labelled = ((re.search(r'class="time-col">(\d\d:\d\d)<', row), row) for row in html.split("<tr"))
    rows = {label.group(1): row for label, row in labelled if label}
    assert f'data-appointment="{coloured.pk}"' in rows["09:00"]  # applying the colour
    assert f'data-appointment="{inside.pk}"' in rows["09:30"]  # another client in the window
    assert 'class="free processing"' in rows["10:00"]  # still developing, nobody booked: bookable
    assert f"staff={ana.pk}&amp;start=2030-03-04T10%3A00%3A00%2B00%3A00" in rows["10:00"]
    assert f'data-appointment="{coloured.pk}"' in rows["10:15"]  # rinse and finish


def test_cancelled_are_hidden_unless_asked_for(client, alice, salon, staff, services, dana):
    gone = make_appointment(staff=staff[0], service=services[0], customer=dana, start=at(10), status="cancelled")
    client.force_login(alice)
    assert str(gone.pk) not in calendar(client, salon).content.decode()
    assert str(gone.pk) in calendar(client, salon, cancelled="1").content.decode()


def test_time_off_shows_its_reason_and_non_working_time_is_greyed(client, alice, salon, staff, services):
    ana, ben = staff
    TimeOff.objects.create(business=salon, staff=ana, start=at(13), end=at(14), reason="Dentist")
    WorkingHours.objects.filter(staff=ben, weekday=0).update(start=time(12))
    client.force_login(alice)
    html = calendar(client, salon).content.decode()
    assert '<td rowspan="4" class="off">Dentist</td>' in html
    # Ben starts at 12:00: 09:00-12:00 is one greyed cell of 12 rows.
    assert '<td rowspan="12" class="closed">' in html


def test_free_cells_link_to_booking_there(client, alice, salon, staff, services):
    client.force_login(alice)
    html = calendar(client, salon).content.decode()
    ana = staff[0]
    expected = f"staff={ana.pk}&amp;start=2030-03-04T09%3A30%3A00%2B00%3A00"
    assert expected in html


@pytest.mark.parametrize(
    ("day", "rows"),
    [
        (date(2030, 3, 31), 23 * 4),  # spring forward in London: 01:00 GMT -> 02:00 BST
        (date(2030, 10, 27), 25 * 4),  # fall back: 01:00-02:00 happens twice
        (date(2030, 3, 30), 24 * 4),
    ],
)
def test_dst_days_have_the_local_number_of_rows(client, alice, salon, staff, day, rows):
    OpeningHours.objects.filter(business=salon).delete()
    for weekday in range(7):
        OpeningHours.objects.create(business=salon, weekday=weekday, start=time(0), end=time(23, 59))
    client.force_login(alice)
    html = calendar(client, salon, date=day.isoformat()).content.decode()
    labels = re.findall(r'<th scope="row" class="time-col">([^<]+)</th>', html)
    # Opening 00:00-23:59 on a 15-minute grid: every quarter of the day's real length.
    assert len(labels) == rows
    if rows == 92:
        assert "00:45" in labels and labels[labels.index("00:45") + 1].startswith("02:00")
        assert not any(label.startswith("01:") for label in labels)
    if rows == 100:
        ones = [label for label in labels if label.startswith("01:00")]
        assert ones == ["01:00", "01:00 GMT"]


def test_day_view_query_count_does_not_grow(client, alice, salon, staff, services, dana, django_assert_num_queries):
    client.force_login(alice)
    make_appointment(staff=staff[0], service=services[0], customer=dana, start=at(17))
    calendar(client, salon)  # warm sessions and caches

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert calendar(client, salon).status_code == 200
        return len(queries)

    few = count()
    for hour in range(9, 17):
        for member in staff:
            customer = CustomerFactory()
            make_appointment(staff=member, service=services[0], customer=customer, start=at(hour))
            CustomerBusinessRelationship.objects.create(customer=customer, business=salon, allergies="latex")
    for n in range(6):
        extra = StaffMemberFactory(business=salon, name=f"Extra {n}")
        WorkingHours.objects.create(staff=extra, weekday=0, start=time(9), end=time(18))
    many = count()
    assert many == few
    with django_assert_num_queries(18):  # with the day's waitlist (nobody waiting: one query)
        assert calendar(client, salon).status_code == 200


def test_team_week_pins_the_query_count(client, alice, salon, staff, services, django_assert_num_queries):
    client.force_login(alice)
    params = {"business": salon.pk, "view": "week", "date": "2030-03-04"}
    client.get(reverse("admin:frontdesk-calendar"), params)  # warm sessions and caches
    for day in range(6):
        for member in staff:
            make_appointment(
                staff=member,
                service=services[0],
                customer=CustomerFactory(),
                start=at(10, day=MONDAY + timedelta(days=day)),
            )
    for n in range(6):
        StaffMemberFactory(business=salon, name=f"Extra {n}")
    with django_assert_num_queries(17):
        response = client.get(reverse("admin:frontdesk-calendar"), params)
    assert response.content.decode().count('class="load load-') == 7 * (len(staff) + 6)


def test_week_view_pins_the_query_count(client, alice, salon, staff, services, dana, django_assert_num_queries):
    client.force_login(alice)
    params = {"business": salon.pk, "view": "week", "date": "2030-03-06", "staff": staff[0].pk}
    client.get(reverse("admin:frontdesk-calendar"), params)
    for day in range(5):
        make_appointment(
            staff=staff[0], service=services[0], customer=dana, start=at(10, day=MONDAY + timedelta(days=day))
        )
    with django_assert_num_queries(17):
        response = client.get(reverse("admin:frontdesk-calendar"), params)
    html = response.content.decode()
    assert html.count('class="block status-confirmed"') == 5
    assert "Mon 04 Mar" in html and "Sun 10 Mar" in html


def test_team_week_shows_each_ones_load(client, alice, salon, staff, services, dana):
    make_appointment(staff=staff[0], service=services[0], customer=dana, start=at(10))
    client.force_login(alice)
    html = client.get(
        reverse("admin:frontdesk-calendar"), {"business": salon.pk, "view": "week", "date": "2030-03-04"}
    ).content.decode()
    # Ana on Monday: one 30-minute appointment of 540 working minutes.
    assert "1 appt · 30 / 540 min (6%)" in html
    assert "0 appt · 0 / 0 min" in html  # Sunday: nobody works


def test_a_staff_member_limited_to_their_own_column(client, salon, staff, services, dana):
    ana, ben = staff
    user = MembershipFactory(business=salon, role=BusinessMembership.Role.STAFF, own_column_only=True).user
    ana.user = user
    ana.save()
    theirs = make_appointment(staff=ben, service=services[0], customer=dana, start=at(10))
    client.force_login(user)
    html = calendar(client, salon).content.decode()
    assert f'data-column="{ana.pk}"' in html and f'data-column="{ben.pk}"' not in html
    url = reverse("admin:frontdesk-appointment", args=[theirs.pk])
    assert client.get(url).status_code == 404


def test_book_from_a_cell_through_the_service(client, bob, salon, staff, services):
    ana = staff[0]
    client.force_login(bob)
    url = reverse("admin:frontdesk-book")
    form = client.get(url, {"business": salon.pk, "staff": ana.pk, "start": "2030-03-04T10:15:00+00:00"})
    assert 'value="10:15"' in form.content.decode()
    response = book_cell(client, salon, ana, services[0], "10:15")
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.staff, appointment.start, appointment.source) == (ana, at(10, 15), "admin")
    assert appointment.customer.email is None and appointment.customer.phone == "+447911123456"


def test_a_taken_cell_is_a_form_error_and_nothing_is_saved(client, bob, salon, staff, services, dana):
    ana = staff[0]
    make_appointment(staff=ana, service=services[0], customer=dana, start=at(10))
    client.force_login(bob)
    response = book_cell(client, salon, ana, services[0], "10:15")
    assert response.status_code == 200
    assert "That time is not available" in response.content.decode()
    assert Appointment.objects.count() == 1
    assert not CustomerAccount.objects.filter(phone="+447911123456").exists()  # rolled back with it


def test_walk_in_with_a_phone_only(client, bob, salon, staff, services, time_machine):
    time_machine.move_to("2030-03-04 10:07:30Z", tick=False)
    ana = staff[0]
    client.force_login(bob)
    response = client.post(
        reverse("admin:frontdesk-walk-in"),
        {
            "business": salon.pk,
            "staff": ana.pk,
            "service": services[0].pk,
            "first_name": "Walk",
            "phone": "07911 123457",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    appointment = Appointment.objects.get()
    assert appointment.source == "walk_in"
    assert appointment.customer.email is None
    assert appointment.start == at(10, 7)  # this minute, off the 15-minute grid
    relationship = CustomerBusinessRelationship.objects.get(customer=appointment.customer, business=salon)
    assert relationship.first_name == "Walk" and relationship.phone == "+447911123457"


def test_walk_in_takes_the_next_free_minute(client, bob, salon, staff, services, dana, time_machine):
    time_machine.move_to("2030-03-04 10:07:30Z", tick=False)
    ana = staff[0]
    make_appointment(staff=ana, service=services[0], customer=dana, start=at(10))  # until 10:30
    client.force_login(bob)
    client.post(
        reverse("admin:frontdesk-walk-in"),
        {
            "business": salon.pk,
            "staff": ana.pk,
            "service": services[0].pk,
            "first_name": "Walk",
            "phone": "07911 123457",
        },
    )
    assert Appointment.objects.get(source="walk_in").start == at(10, 30)


def test_walk_in_needs_a_phone(client, bob, salon, staff, services):
    client.force_login(bob)
    response = client.post(
        reverse("admin:frontdesk-walk-in"),
        {"business": salon.pk, "staff": staff[0].pk, "service": services[0].pk, "first_name": "Walk"},
    )
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not Appointment.objects.exists()


def test_check_in_complete_and_no_show_from_the_panel(client, bob, salon, staff, services, dana):
    start = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    booked = make_appointment(staff=staff[0], service=services[0], customer=dana, start=start)
    other = make_appointment(staff=staff[1], service=services[0], customer=dana, start=start)
    client.force_login(bob)
    url = reverse("admin:frontdesk-appointment", args=[booked.pk])
    assert "Check in" in client.get(url).content.decode()
    assert client.post(url, {"action": "check_in"}).status_code == 302
    booked.refresh_from_db()
    assert booked.status == "arrived"
    assert client.post(url, {"action": "complete"}).status_code == 302
    booked.refresh_from_db()
    assert booked.status == "completed"
    relationship = CustomerBusinessRelationship.objects.get(customer=dana, business=salon)
    assert relationship.total_visits == 1 and relationship.total_spent == Decimal("30.00")
    other_url = reverse("admin:frontdesk-appointment", args=[other.pk])
    client.post(other_url, {"action": "no_show"})
    other.refresh_from_db()
    assert other.status == "no_show"
    # Completing again is refused with the service's message, nothing changes.
    response = client.post(url, {"action": "complete"}, follow=True)
    assert "already completed" in response.content.decode()
    assert [h.action for h in booked.history.all()] == ["arrived", "completed"]


def test_an_arrived_client_still_holds_the_time(salon, staff, services, dana):
    start = timezone.now() - timedelta(minutes=5)
    booked = make_appointment(staff=staff[0], service=services[0], customer=dana, start=start, status="arrived")
    clash = Appointment(business=salon, staff=staff[0], service=services[0], customer=dana, price=1)
    clash.set_times(start + timedelta(minutes=10), timedelta(minutes=30))
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        clash.save()
    assert booked.status == "arrived"


def test_reschedule_and_cancel_from_the_panel(client, bob, salon, staff, services, dana):
    ana, ben = staff
    booked = make_appointment(staff=ana, service=services[0], customer=dana, start=at(10))
    make_appointment(staff=ben, service=services[0], customer=CustomerFactory(), start=at(12))
    client.force_login(bob)
    url = reverse("admin:frontdesk-appointment", args=[booked.pk])
    taken = client.post(url, {"action": "reschedule", "staff": ben.pk, "date": "2030-03-04", "time": "12:00"})
    assert taken.status_code == 200 and "That time is not available" in taken.content.decode()
    booked.refresh_from_db()
    assert (booked.staff, booked.start) == (ana, at(10))
    moved = client.post(
        reverse("admin:frontdesk-reschedule", args=[booked.pk]),
        {"staff": ben.pk, "date": "2030-03-04", "time": "14:00"},
    )
    assert moved.status_code == 302
    booked.refresh_from_db()
    assert (booked.staff, booked.start) == (ben, at(14))
    no_reason = client.post(url, {"action": "cancel", "reason": ""})
    assert no_reason.status_code == 200
    client.post(url, {"action": "cancel", "reason": "Client called"})
    booked.refresh_from_db()
    assert (booked.status, booked.cancel_reason) == ("cancelled", "Client called")


def test_time_off_from_the_calendar(client, alice, salon, staff, services, dana):
    ana = staff[0]
    make_appointment(staff=ana, service=services[0], customer=dana, start=at(15))
    client.force_login(alice)
    response = client.post(
        reverse("admin:frontdesk-time-off"),
        {
            "business": salon.pk,
            "staff": ana.pk,
            "date": "2030-03-04",
            "start_time": "14:00",
            "end_time": "16:00",
            "reason": "Training",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Still booked in that time" in html
    away = TimeOff.objects.get()
    assert (away.staff, away.start, away.end, away.reason) == (ana, at(14), at(16), "Training")
    closure = client.post(
        reverse("admin:frontdesk-time-off"),
        {"business": salon.pk, "staff": "", "date": "2030-03-05", "reason": "Holiday"},
    )
    assert closure.status_code == 302
    assert TimeOff.objects.filter(
        staff__isnull=True, start=at(0, day=date(2030, 3, 5)), end=at(0, day=date(2030, 3, 6))
    ).exists()


def test_a_stylist_adds_time_off_only_for_themselves(client, salon, staff, services):
    ana, ben = staff
    user = MembershipFactory(business=salon, role=BusinessMembership.Role.STAFF).user
    ana.user = user
    ana.save()
    client.force_login(user)
    response = client.post(
        reverse("admin:frontdesk-time-off"),
        {"business": salon.pk, "staff": ben.pk, "date": "2030-03-04", "reason": "x"},
    )
    assert response.status_code == 200 and not TimeOff.objects.exists()
    closure = client.post(
        reverse("admin:frontdesk-time-off"), {"business": salon.pk, "staff": "", "date": "2030-03-04"}
    )
    assert closure.status_code == 200 and not TimeOff.objects.exists()


def test_client_search_is_scoped_to_the_salon(client, alice, charlie, salon, other_salon, staff, services):
    mine = CustomerAccount.objects.create(email=None, phone="+447911000111")
    CustomerBusinessRelationship.objects.create(
        customer=mine, business=salon, first_name="Robin", phone="+447911000111", allergies="PPD"
    )
    theirs = CustomerFactory(first_name="Robin")
    CustomerBusinessRelationship.objects.create(customer=theirs, business=other_salon)
    client.force_login(alice)
    url = reverse("admin:frontdesk-client-search")
    results = client.get(url, {"business": salon.pk, "q": "rob"}).json()["results"]
    assert [r["id"] for r in results] == [str(mine.pk)]
    assert results[0]["warnings"] == ["Allergies: PPD"]
    by_phone = client.get(url, {"business": salon.pk, "q": "07911 000111"}).json()["results"]
    assert [r["id"] for r in by_phone] == [str(mine.pk)]
    assert client.get(url, {"business": other_salon.pk, "q": "rob"}).status_code == 404
    client.force_login(charlie)
    assert client.get(url, {"business": salon.pk, "q": "rob"}).status_code == 404


def test_a_bad_date_is_a_message_not_a_500(client, alice, salon, staff):
    client.force_login(alice)
    response = calendar(client, salon, date="2030-02-31")
    assert response.status_code == 200 and "is not a date" in response.content.decode()


def test_admin_wears_chairtime_and_the_salon(client, alice, salon):
    client.force_login(alice)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Chairtime · Salon Alpha" in html
    assert "Django administration" not in html
    assert html.index(reverse("admin:frontdesk-calendar")) < html.index("/admin/booking/")


def test_a_phone_only_client_is_found_again_by_number_and_name(salon, staff, services):
    by = Actor.system()

    def book(hour, **details):
        return appointment_book(
            business=salon,
            service=services[0],
            staff=staff[0],
            start=at(hour),
            by=by,
            customer_details=CustomerDetails(**details),
        )

    first = book(10, phone="07911 222333", first_name="Sam")
    again = book(11, phone="+44 7911 222333")
    same_name = book(12, phone="07911222333", first_name="sam")
    family = book(13, phone="07911 222333", first_name="Alex")  # a shared family phone
    assert first.customer_id == again.customer_id == same_name.customer_id
    assert family.customer_id != first.customer_id
    assert first.customer.email is None and first.customer.first_name == ""  # names stay with the salon
    assert CustomerBusinessRelationship.objects.get(customer=first.customer).first_name.casefold() == "sam"


def test_another_salons_phone_only_record_is_not_reused(salon, staff, services, other_salon):
    by = Actor.system()
    here = appointment_book(
        business=salon,
        service=services[0],
        staff=staff[0],
        start=at(10),
        by=by,
        customer_details=CustomerDetails(phone="07911 222333", first_name="Sam"),
    )
    member = other_salon.staff.get()
    elsewhere = appointment_book(
        business=other_salon,
        service=other_salon.services.get(),
        staff=member,
        start=at(15),
        by=by,
        customer_details=CustomerDetails(phone="+447911222333"),
    )
    assert elsewhere.customer_id != here.customer_id


def test_an_email_clients_salon_phone_does_not_catch_a_walk_in(salon, staff, services, dana):
    CustomerBusinessRelationship.objects.create(customer=dana, business=salon, phone="+447911222333")
    walk_in = appointment_book(
        business=salon,
        service=services[0],
        staff=staff[0],
        start=at(10),
        by=Actor.system(),
        customer_details=CustomerDetails(phone="07911 222333", first_name="Kim"),
    )
    assert walk_in.customer_id != dana.pk


def test_a_no_show_whose_time_was_booked_again_leaves_the_new_booking_on_the_grid(
    client, alice, salon, staff, services, dana
):
    ana = staff[0]
    make_appointment(staff=ana, service=services[1], customer=dana, start=at(10), status="no_show")
    walk_in = make_appointment(staff=ana, service=services[0], customer=CustomerFactory(), start=at(10, 6))
    client.force_login(alice)
    html = calendar(client, salon).content.decode()
    assert f'data-appointment="{walk_in.pk}"' in html


def test_the_desk_books_a_cell_off_the_customers_grid(client, bob, salon, staff, services):
    """A shift starting at 13:45 on a 30-minute grid: customers get 13:45, 14:15...; the desk
    may book the 14:00 cell it shows."""
    salon.slot_interval_minutes = 30
    salon.save()
    ana = staff[0]
    WorkingHours.objects.filter(staff=ana, weekday=0).update(start=time(13, 45))
    client.force_login(bob)
    response = book_cell(client, salon, ana, services[0], "14:00")
    assert response.status_code == 302
    assert Appointment.objects.get().start == at(14)


def test_the_second_one_oclock_on_the_fall_back_day_books_the_second_one(client, bob, salon, staff, services):
    for weekday in range(7):
        OpeningHours.objects.get_or_create(business=salon, weekday=weekday, start=time(0), end=time(23, 59))
        for member in staff:
            WorkingHours.objects.get_or_create(staff=member, weekday=weekday, start=time(0), end=time(23, 59))
    OpeningHours.objects.filter(business=salon, start=time(9)).delete()
    WorkingHours.objects.filter(staff__in=staff, start=time(9)).delete()
    ana = staff[0]
    second = datetime(2030, 10, 27, 1, 0, tzinfo=UTC)  # 01:00 GMT, after 01:00 BST (00:00 UTC)
    client.force_login(bob)
    url = reverse("admin:frontdesk-book")
    form = client.get(url, {"business": salon.pk, "staff": ana.pk, "start": second.isoformat()}).content.decode()
    assert 'name="fold" value="1"' in form
    post = {
        "business": salon.pk,
        "staff": ana.pk,
        "service": services[0].pk,
        "first_name": "Pat",
        "phone": "07911 123456",
    }
    booked = client.post(url, {**post, "date": "2030-10-27", "time": "01:00", "fold": "1"})
    assert booked.status_code == 302, re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', booked.content.decode())
    assert Appointment.objects.get().start == second
    gap = client.post(url, {**post, "date": "2030-03-31", "time": "01:30", "fold": "0"})
    assert gap.status_code == 200 and "does not exist on 31 Mar 2030" in gap.content.decode()


@pytest.mark.parametrize("start", ["0001-01-01T00:00+05:00", "9999-12-31T23:59-05:00", "nonsense", "2030-03-04T10:00"])
def test_odd_cell_starts_are_ignored_not_a_500(client, alice, salon, staff, services, start):
    client.force_login(alice)
    for name in ("admin:frontdesk-book", "admin:frontdesk-time-off"):
        assert client.get(reverse(name), {"business": salon.pk, "start": start}).status_code == 200


def test_a_checked_in_client_is_not_a_no_show(client, bob, salon, staff, services, dana):
    booked = make_appointment(
        staff=staff[0],
        service=services[0],
        customer=dana,
        start=timezone.now() - timedelta(minutes=5),
        status="arrived",
    )
    client.force_login(bob)
    url = reverse("admin:frontdesk-appointment", args=[booked.pk])
    assert 'value="no_show"' not in client.get(url).content.decode()
    response = client.post(url, {"action": "no_show"}, follow=True)
    assert "The client checked in" in response.content.decode()
    booked.refresh_from_db()
    assert booked.status == "arrived"


def test_a_column_limited_stylist_sees_only_their_appointments_anywhere(client, salon, staff, services, dana):
    ana, ben = staff
    user = MembershipFactory(business=salon, role=BusinessMembership.Role.STAFF, own_column_only=True).user
    ana.user = user
    ana.save()
    mine = make_appointment(staff=ana, service=services[0], customer=dana, start=at(10))
    theirs = make_appointment(staff=ben, service=services[0], customer=dana, start=at(11))
    client.force_login(user)
    listed = client.get(reverse("admin:booking_appointment_changelist")).context["cl"].result_list
    assert [a.pk for a in listed] == [mine.pk]
    assert client.get(reverse("admin:booking_appointment_change", args=[theirs.pk])).status_code == 404
    assert client.get(f"/api/appointments/{theirs.pk}").status_code == 404
    assert client.get(f"/api/appointments/{mine.pk}").status_code == 200
    # A walk-in goes to their own column, never to "whoever is free".
    walk_in = client.post(
        reverse("admin:frontdesk-walk-in"),
        {"business": salon.pk, "staff": "", "service": services[0].pk, "first_name": "W", "phone": "07911 123456"},
    )
    assert walk_in.status_code == 200 and "This field is required" in walk_in.content.decode()
    assert Appointment.objects.count() == 2


def test_a_cell_booked_as_a_walk_in_records_the_source(client, bob, salon, staff, services):
    client.force_login(bob)
    assert book_cell(client, salon, staff[0], services[0], "11:00", walk_in="on").status_code == 302
    assert Appointment.objects.get().source == "walk_in"


def test_a_clients_warnings_show_on_every_view_of_their_booking(client, bob, salon, staff, services, dana):
    CustomerBusinessRelationship.objects.create(
        customer=dana, business=salon, allergies="Latex", patch_test_required=True
    )
    booked = make_appointment(staff=staff[0], service=services[0], customer=dana, start=at(10))
    warning = "Allergies: Latex; Patch test required (none on record)"
    client.force_login(bob)
    block = calendar(client, salon).content.decode().split(f'data-appointment="{booked.pk}"')[1].split("</td>")[0]
    assert warning in block
    panel = client.get(reverse("admin:frontdesk-appointment", args=[booked.pk])).content.decode()
    assert "Allergies: Latex" in panel and "Patch test required" in panel
    listed = client.get(reverse("admin:booking_appointment_changelist")).content.decode()
    assert warning in listed
    change = client.get(reverse("admin:booking_appointment_change", args=[booked.pk])).content.decode()
    assert warning in change


def test_a_salon_in_scope_wears_its_name_and_brand_colour(client, alice, superuser, salon, staff, services):
    brand = reverse("brand-css", args=[salon.pk])
    for user in (alice, superuser):  # the salon's owner, and a superuser who sees every salon
        client.force_login(user)
        html = calendar(client, salon).content.decode()
        assert f'href="{brand}"' in html and "Chairtime · Salon Alpha" in html
    assert client.get(brand).content.decode().count(salon.brand_color) >= 1


def test_the_resource_view_has_a_column_per_basin_with_the_bookings_holding_it(
    client, alice, salon, staff, services, other_salon
):
    wash = services[0]
    wash.resource_kinds = ["basin"]
    wash.save()
    first, second = (
        Resource.objects.create(business=salon, name=f"Basin {n}", kind="basin", position=n) for n in (1, 2)
    )
    Resource.objects.create(business=other_salon, name="Beta basin", kind="basin")
    desk = actor_for(alice, salon)
    held = appointment_book(
        business=salon,
        service=wash,
        staff=staff[0],
        start=at(10),
        by=desk,
        customer_details=CustomerDetails(email="w@example.com"),
    )
    client.force_login(alice)
    html = calendar(client, salon, view="resources").content.decode()
    assert f'data-column="{first.pk}"' in html and f'data-column="{second.pk}"' in html and "Beta basin" not in html
    assert block_rowspans(html) == {str(held.pk): 2}
    row_of_ten = next(r for r in html.split("<tr") if 'class="time-col">10:00<' in r)
    first_cell = row_of_ten.split("<td", 1)[1]
    assert first_cell.startswith(
        f' rowspan="2" class="block status-confirmed" data-appointment="{held.pk}"'
    )  # Basin 1
    head = html.split("<tbody>")[0]
    assert head.index(f'data-column="{first.pk}"') < head.index(f'data-column="{second.pk}"')
    assert "walk-in-link" not in head  # a basin takes no walk-ins


def test_the_desk_books_over_a_customers_hold_only_when_told_to(client, bob, salon, staff, services):
    from booking.holds import hold_create
    from booking.models import SlotHold

    day = timezone.localdate(timezone=salon.zone) + timedelta(days=3)
    day += timedelta(days=1) if day.weekday() == 6 else timedelta(0)  # closed on Sundays
    hold_create(
        business=salon, items=[(services[0], staff[0])], start=datetime.combine(day, time(10), tzinfo=salon.zone)
    )
    client.force_login(bob)
    refused = book_cell(client, salon, staff[0], services[0], at_time="10:00", day=day.isoformat())
    assert refused.status_code == 200
    assert "A customer is holding this time" in refused.content.decode()
    assert not Appointment.objects.exists()
    booked = book_cell(client, salon, staff[0], services[0], at_time="10:00", day=day.isoformat(), override_holds="on")
    assert booked.status_code == 302
    assert Appointment.objects.get().staff == staff[0] and not SlotHold.objects.exists()


def test_the_day_shows_its_waitlist_and_staff_offer_a_time_by_hand(client, bob, charlie, salon, staff, services):
    from django.core import mail

    from booking.models import WaitlistOffer
    from booking.waitlist import Window, waitlist_join

    day = timezone.localdate(timezone=salon.zone) + timedelta(days=3)
    day += timedelta(days=1) if day.weekday() == 6 else timedelta(0)  # closed on Sundays
    customer = CustomerFactory(email="waiting@example.com")
    for hour in range(9, 18):  # Ana's day is full but for 17:30
        make_appointment(
            staff=staff[0],
            service=services[0],
            customer=CustomerFactory(),
            start=datetime.combine(day, time(hour), tzinfo=salon.zone),
        )
    entry = waitlist_join(
        customer=customer,
        business=salon,
        service=services[0],
        staff=staff[0],
        windows=[Window(from_date=day, to_date=day, from_time=time(17))],
    )
    WaitlistOffer.objects.all().delete()  # as if the one made at joining had been let go
    client.force_login(charlie)  # another salon's owner
    foreign = {"business": salon.pk, "entry": str(entry.pk), "start": "2030-03-04T10:00:00+00:00"}
    assert client.post(reverse("admin:frontdesk-waitlist-offer"), foreign).status_code == 404
    client.force_login(bob)
    html = client.get(
        reverse("admin:frontdesk-calendar"), {"business": salon.pk, "date": day.isoformat()}
    ).content.decode()
    assert "Waitlist for" in html and "waiting@example.com" in html
    assert '<option value="' in html and ">17:30<" in html
    start = datetime.combine(day, time(17, 30), tzinfo=salon.zone)
    mail.outbox.clear()
    response = client.post(
        reverse("admin:frontdesk-waitlist-offer"),
        {"business": salon.pk, "entry": str(entry.pk), "start": start.isoformat()},
    )
    assert response.status_code == 302
    offer = WaitlistOffer.objects.get()
    assert (offer.entry, offer.start, offer.offered_by) == (entry, start, "bob@alpha.example")
    again = client.post(
        reverse("admin:frontdesk-waitlist-offer"),
        {"business": salon.pk, "entry": str(entry.pk), "start": start.isoformat()},
        follow=True,
    )
    assert "already has an open offer" in again.content.decode()
    html = client.get(
        reverse("admin:frontdesk-calendar"), {"business": salon.pk, "date": day.isoformat()}
    ).content.decode()
    assert "Offered 17:30" in html


def test_the_time_off_page_takes_only_get_and_post(client, alice, salon, staff, services):
    client.force_login(alice)
    assert client.put(f"{reverse('admin:frontdesk-time-off')}?business={salon.pk}").status_code == 405
    assert client.get(reverse("admin:frontdesk-waitlist-offer"), {"business": salon.pk}).status_code == 405
