"""The salon reports: exact figures over a hand-built week, query counts, scoping, CSV files
and bad input."""

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from businesses.models import BusinessMembership, TimeOff
from frontdesk import reports
from frontdesk.report_views import TABLES
from tests.factories import CustomerFactory, MembershipFactory, make_appointment

MONDAY = date(2030, 3, 4)  # London is on GMT until 31 March: local = UTC
SUNDAY = date(2030, 3, 10)
WEEK = {"from": MONDAY.isoformat(), "to": SUNDAY.isoformat()}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def on(offset: int) -> date:
    return MONDAY + timedelta(days=offset)


@pytest.fixture
def week(salon, staff, services, dana, other_salon):
    """A week at Salon Alpha: four completed (185.00), a no-show, a cancellation and one still
    confirmed; time off, an overlapping closure; history before and after; and Salon Beta's
    appointments, which must never count."""
    ana, ben = staff
    cut, colour, consult = services
    erin, frank, gail = (CustomerFactory(first_name=name) for name in ("Erin", "Frank", "Gail"))

    def book(member, service, customer, start, status, source):
        return make_appointment(
            staff=member, service=service, customer=customer, start=start, status=status, source=source
        )

    book(ana, cut, dana, at(on(0), 10), "completed", "portal")
    book(ana, colour, erin, at(on(0), 11), "completed", "widget")
    book(ben, cut, frank, at(on(1), 10), "completed", "admin")
    book(ben, colour, dana, at(on(2), 14), "no_show", "api")
    book(ana, cut, gail, at(on(3), 9), "cancelled", "portal")
    book(ben, consult, gail, at(on(4), 16), "confirmed", "walk_in")
    book(ana, cut, erin, at(SUNDAY, 23, 30), "completed", "walk_in")  # the last half hour of the period
    # Outside the period: Dana came before (returning); Erin only cancelled before (still new).
    book(ana, cut, dana, at(on(-7), 10), "completed", "portal")
    book(ana, cut, erin, at(on(-6), 10), "cancelled", "portal")
    book(ben, cut, frank, at(on(7), 0), "completed", "portal")  # Monday after, 00:00 local
    # Salon Beta: Frank's visit there does not make him a returning client here.
    zed = other_salon.staff.get()
    beta_cut = other_salon.services.get()
    book(zed, beta_cut, frank, at(on(-14), 15), "completed", "portal")
    book(zed, beta_cut, dana, at(on(0), 15), "completed", "widget")
    # Ana: Tuesday 13-14 off; Saturday 12-14 off, overlapping the salon's closure 9-13.
    TimeOff.objects.create(business=salon, staff=ana, start=at(on(1), 13), end=at(on(1), 14), reason="Dentist")
    TimeOff.objects.create(business=salon, staff=ana, start=at(on(5), 12), end=at(on(5), 14), reason="Wedding")
    TimeOff.objects.create(business=salon, staff=None, start=at(on(5), 9), end=at(on(5), 13), reason="Training")
    TimeOff.objects.create(business=salon, staff=ben, start=at(on(7), 9), end=at(on(7), 18), reason="After")
    return salon


def period(salon, first_day=MONDAY, last_day=SUNDAY, only_staff=None):
    return reports.Period(business=salon, first_day=first_day, last_day=last_day, only_staff=only_staff)


def page(client, salon, **params):
    return client.get(reverse("admin:frontdesk-reports"), {"business": salon.pk, **WEEK, **params})


def download(client, salon, table, **params):
    return client.get(reverse("admin:frontdesk-reports-csv"), {"business": salon.pk, **WEEK, "table": table, **params})


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


# The figures


def test_summary_counts_every_status_and_rates_of_booked(week):
    summary = reports.summary(period(week))
    assert (summary.booked, summary.completed, summary.cancelled, summary.no_shows) == (7, 4, 1, 1)
    assert summary.revenue == Decimal("185.00")
    assert summary.completed_rate == Decimal("57.1")
    assert summary.cancelled_rate == Decimal("14.3")
    assert summary.no_show_rate == Decimal("14.3")


def test_revenue_per_local_day_lists_every_day(week):
    days = reports.revenue_by_day(period(week))
    assert [(line.key, line.completed, line.revenue) for line in days] == [
        (on(0), 2, Decimal("125.00")),
        (on(1), 1, Decimal("30.00")),
        (on(2), 0, Decimal("0.00")),
        (on(3), 0, Decimal("0.00")),
        (on(4), 0, Decimal("0.00")),
        (on(5), 0, Decimal("0.00")),
        (SUNDAY, 1, Decimal("30.00")),
    ]


def test_revenue_per_staff_and_per_service(week, staff):
    by_staff = reports.revenue_by_staff(period(week))
    assert [(line.label, line.completed, line.revenue) for line in by_staff] == [
        ("Ana", 3, Decimal("155.00")),
        ("Ben", 1, Decimal("30.00")),
    ]
    by_service = reports.revenue_by_service(period(week))
    assert [(line.label, line.completed, line.revenue) for line in by_service] == [
        ("Colour", 1, Decimal("95.00")),
        ("Cut", 3, Decimal("90.00")),
    ]


def test_utilisation_is_kept_minutes_of_working_minutes_less_time_off_and_closures(week):
    lines = reports.utilisation(period(week))
    # Six days of 09:00-18:00 = 3240 minutes. Ana: less Tuesday's hour and Saturday 09:00-14:00
    # (closure and her time off overlap: counted once). Ben: less the closure's four hours.
    # Booked: Ana 30 + 90 + 30 (the cancelled cut does not count); Ben 30 + 90 (no-show) + 15.
    assert [(line.name, line.booked_minutes, line.working_minutes, line.rate) for line in lines] == [
        ("Ana", 150, 2880, Decimal("5.2")),
        ("Ben", 135, 3000, Decimal("4.5")),
    ]


def test_new_and_returning_clients(week):
    seen = reports.clients(period(week))
    # Dana came before; Erin only cancelled before; Frank came only to Salon Beta; Gail is new.
    assert (seen.new, seen.returning, seen.total) == (3, 1, 4)


def test_bookings_by_source_lists_every_source(week):
    assert [(line.source, line.booked) for line in reports.sources(period(week))] == [
        ("portal", 2),
        ("widget", 1),
        ("api", 1),
        ("admin", 1),
        ("walk_in", 2),
    ]


def test_days_are_the_salons_local_days(salon, staff, services, dana):
    # 1 July 2030 23:30 UTC is 00:30 on 2 July in London (BST).
    make_appointment(
        staff=staff[0], service=services[0], customer=dana, start=at(date(2030, 7, 1), 23, 30), status="completed"
    )
    first = reports.Period(business=salon, first_day=date(2030, 7, 1), last_day=date(2030, 7, 1))
    second = reports.Period(business=salon, first_day=date(2030, 7, 1), last_day=date(2030, 7, 2))
    assert reports.summary(first).booked == 0
    assert [(line.key, line.revenue) for line in reports.revenue_by_day(second)] == [
        (date(2030, 7, 1), Decimal("0.00")),
        (date(2030, 7, 2), Decimal("30.00")),
    ]


def test_an_empty_period_has_no_rates(salon, staff, services):
    summary = reports.summary(period(salon))
    assert (summary.booked, summary.revenue, summary.completed_rate) == (0, Decimal("0.00"), None)
    assert reports.clients(period(salon)).total == 0


# The page


def test_the_page_shows_tables_and_charts(client, alice, week):
    client.force_login(alice)
    response = page(client, week)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Days and times in Europe/London" in html
    for name in TABLES:
        assert f'id="report-{name}"' in html
        assert f"table={name}" in html
    assert '<th scope="row">Completed</th><td class="num">4</td><td class="num">57.1</td>' in html
    assert '<th scope="row">2030-03-04</th><td class="num">2</td><td class="num">125.00</td>' in html
    assert '<th scope="row">Ana</th><td class="num">150</td><td class="num">2880</td><td class="num">5.2</td>' in html
    # Two charts: seven day bars and five source bars, each named for assistive technology.
    assert html.count('<svg class="report-chart"') == 2
    assert len(re.findall(r"<rect [^>]*><title>", html)) == 7 + 5
    assert '<title id="chart-revenue-by-day-title">Revenue per day (GBP)</title>' in html
    assert "<title>04 Mar: 125.00 GBP</title>" in html
    # The Content-Security-Policy refuses inline styles and scripts.
    assert "style=" not in html and "<script>" not in html


def test_the_page_defaults_to_the_last_30_days(client, alice, salon, staff):
    with time_machine.travel(datetime(2030, 3, 10, 12, tzinfo=UTC), tick=False):
        client.force_login(alice)  # a session opened today would have expired by 2030
        html = client.get(reverse("admin:frontdesk-reports"), {"business": salon.pk}).content.decode()
    assert "Saturday, 9 February 2030 to Sunday, 10 March 2030 (30 days)" in html
    assert "from=2030-02-09&amp;to=2030-03-10" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2030-02-31"}, "Enter a valid date."),
        ({"from": "2030-03-10", "to": "2030-03-04"}, "The start date is after the end date."),
        ({"from": "2030-01-01", "to": "2031-01-02"}, "Choose at most 366 days."),
        ({"to": "9999-12-31"}, "Give a date within 10 years of today."),
    ],
)
def test_bad_dates_are_a_form_error_on_the_page_and_a_400_for_csv(client, alice, salon, staff, params, message):
    client.force_login(alice)
    response = page(client, salon, **params)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "report-table" not in html
    response = download(client, salon, "summary", **params)
    assert response.status_code == 400 and response["Content-Type"].startswith("text/plain")
    assert message in response.content.decode()


def test_a_leap_year_fits(client, alice, salon, staff):
    client.force_login(alice)
    response = download(client, salon, "revenue_by_day", **{"from": "2028-01-01", "to": "2028-12-31"})
    assert response.status_code == 200
    assert len(csv_rows(response)) == 1 + 366


def test_the_query_count_does_not_grow_with_appointments(
    client, alice, salon, staff, services, django_assert_num_queries
):
    client.force_login(alice)
    page(client, salon)  # warm the session

    def add(first, last):
        for n in range(first, last):
            make_appointment(
                staff=staff[n % 2],
                service=services[0],
                customer=CustomerFactory(),
                start=at(on(n // 2 % 6), 9 + n // 12),
                status=["completed", "confirmed", "no_show", "cancelled"][n % 4],
                source=["portal", "widget", "walk_in"][n % 3],
            )

    add(0, 2)
    with django_assert_num_queries(QUERIES):
        assert page(client, salon).status_code == 200
    add(2, 20)
    with django_assert_num_queries(QUERIES):
        html = page(client, salon).content.decode()
    assert '<th scope="row">Booked</th><td class="num">20</td>' in html


QUERIES = 22


# Who sees what


def test_another_salons_report_and_csv_are_404(client, charlie, week):
    client.force_login(charlie)
    assert page(client, week).status_code == 404
    assert download(client, week, "summary").status_code == 404


def test_a_one_salon_member_lands_on_their_salon(client, bob, week):
    client.force_login(bob)
    response = client.get(reverse("admin:frontdesk-reports"), WEEK)
    assert response.status_code == 200
    assert '<th scope="row">Booked</th><td class="num">7</td>' in response.content.decode()


def test_several_salons_without_a_choice_get_the_chooser(client, superuser, week):
    client.force_login(superuser)
    response = client.get(reverse("admin:frontdesk-reports"), WEEK)
    assert response.status_code == 200
    assert "Choose a salon" in response.content.decode()


def test_a_member_limited_to_their_own_column_sees_only_their_staff_rows(client, week, staff):
    ana, _ = staff
    user = MembershipFactory(business=week, role=BusinessMembership.Role.STAFF, own_column_only=True).user
    ana.user = user
    ana.save()
    client.force_login(user)
    assert csv_rows(download(client, week, "revenue_by_staff"))[1:] == [["Ana", "3", "155.00"]]
    assert csv_rows(download(client, week, "utilisation"))[1:] == [["Ana", "150", "2880", "5.2"]]
    html = page(client, week).content.decode()
    assert '<th scope="row">Ana</th>' in html and '<th scope="row">Ben</th>' not in html


def test_anonymous_users_are_sent_to_the_admin_login(client, salon):
    response = download(client, salon, "summary")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# CSV files


def test_csv_of_each_table(client, alice, week):
    client.force_login(alice)
    response = download(client, week, "summary")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="salon-alpha-summary-2030-03-04-2030-03-10.csv"'
    assert csv_rows(response) == [
        ["Measure", "Value", "% of booked"],
        ["Booked", "7", ""],
        ["Completed", "4", "57.1"],
        ["Cancelled", "1", "14.3"],
        ["No-shows", "1", "14.3"],
        ["Revenue (GBP)", "185.00", ""],
    ]
    assert csv_rows(download(client, week, "revenue_by_day"))[:3] == [
        ["Day", "Completed", "Revenue (GBP)"],
        ["2030-03-04", "2", "125.00"],
        ["2030-03-05", "1", "30.00"],
    ]
    assert csv_rows(download(client, week, "revenue_by_service"))[1:] == [
        ["Colour", "1", "95.00"],
        ["Cut", "3", "90.00"],
    ]
    assert csv_rows(download(client, week, "clients")) == [
        ["Clients", "Count", "% of clients"],
        ["New", "3", "75.0"],
        ["Returning", "1", "25.0"],
        ["All", "4", ""],
    ]
    assert csv_rows(download(client, week, "sources"))[1:] == [
        ["Customer portal", "2", "28.6"],
        ["Website widget", "1", "14.3"],
        ["API", "1", "14.3"],
        ["Admin", "1", "14.3"],
        ["Walk-in", "2", "28.6"],
    ]


def test_csv_quotes_text_a_spreadsheet_would_run(client, alice, week, staff, services):
    ana, _ = staff
    ana.name = '=HYPERLINK("http://evil.example","Ana")'
    ana.save()
    services[0].name = "-1+1"
    services[0].save()
    client.force_login(alice)
    assert csv_rows(download(client, week, "revenue_by_staff"))[1][0] == '\'=HYPERLINK("http://evil.example","Ana")'
    assert csv_rows(download(client, week, "revenue_by_service"))[1][0] == "'-1+1"


def test_an_unknown_table_is_a_400(client, alice, week):
    client.force_login(alice)
    response = download(client, week, "passwords")
    assert response.status_code == 400 and "Unknown table" in response.content.decode()
