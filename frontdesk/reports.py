"""The salon's reports (`/admin/reports/`): what was booked, done and earned over a run of
local days. One home for what each figure means; the page and its CSV files both read these.

Every figure is an aggregate query (a constant number of queries, whatever the number of
appointments); utilisation's working time comes from the calendar's loader, which already
knows weekly hours, opening hours, time off and closures.

A period is the salon's local days, first to last inclusive, so an appointment belongs to
the local date its start falls on, whatever the UTC date (and a DST-change day has 23 or 25
hours of it).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from booking.availability import local_instant, seconds
from booking.models import KEPT_STATUSES, Appointment
from businesses.models import Business
from frontdesk import calendar

DEFAULT_DAYS = 30
MAX_DAYS = 366  # a leap year: a year on year comparison fits, a decade of rows does not

Status = Appointment.Status


class PeriodError(ValueError):
    """The days asked for do not make a period (shown as a form error, or a 400 for CSV)."""


@dataclass(frozen=True)
class Period:
    """Local days `first_day` to `last_day` (inclusive) at `business`, for the staff ids in
    `only_staff` in per-staff figures (None: everyone)."""

    business: Business
    first_day: date
    last_day: date
    only_staff: set | None = None

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def start(self) -> datetime:
        return local_instant(self.first_day, time(0), self.business.zone)

    @property
    def end(self) -> datetime:
        return local_instant(self.last_day + timedelta(days=1), time(0), self.business.zone)


def period_check(first_day: date, last_day: date) -> None:
    """Refuse a period that ends before it starts or is longer than MAX_DAYS."""
    if first_day > last_day:
        raise PeriodError(_("The start date is after the end date."))
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise PeriodError(
            ngettext("Choose at most %(max)d day.", "Choose at most %(max)d days.", MAX_DAYS) % {"max": MAX_DAYS}
        )


def default_days(today: date) -> tuple[date, date]:
    """The last DEFAULT_DAYS days, today included."""
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def percent(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in percent, to one decimal; None when there is no whole."""
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def booked_in(period: Period) -> QuerySet[Appointment]:
    """Appointments booked for the period: their start falls in it (any status)."""
    return Appointment.objects.filter(business=period.business, start__gte=period.start, start__lt=period.end)


def per_staff(appointments: QuerySet[Appointment], period: Period) -> QuerySet[Appointment]:
    if period.only_staff is None:
        return appointments
    return appointments.filter(staff__in=period.only_staff)


@dataclass
class Summary:
    booked: int
    completed: int
    cancelled: int
    no_shows: int
    revenue: Decimal

    @property
    def completed_rate(self) -> Decimal | None:
        return percent(self.completed, self.booked)

    @property
    def cancelled_rate(self) -> Decimal | None:
        return percent(self.cancelled, self.booked)

    @property
    def no_show_rate(self) -> Decimal | None:
        return percent(self.no_shows, self.booked)


def summary(period: Period) -> Summary:
    """Booked, completed, cancelled and no-shows, and the revenue of the completed (one query)."""
    totals = booked_in(period).aggregate(
        booked=Count("pk"),
        completed=Count("pk", filter=Q(status=Status.COMPLETED)),
        cancelled=Count("pk", filter=Q(status=Status.CANCELLED)),
        no_shows=Count("pk", filter=Q(status=Status.NO_SHOW)),
        revenue=Sum("price", filter=Q(status=Status.COMPLETED), default=Decimal("0.00")),
    )
    return Summary(**totals)


@dataclass
class Revenue:
    """Completed appointments of one day, staff member or service, and what they earned."""

    key: object  # the local date, or the staff member's or service's id
    label: str
    completed: int
    revenue: Decimal


def completed_in(period: Period) -> QuerySet[Appointment]:
    return booked_in(period).filter(status=Status.COMPLETED)


def revenue_by_day(period: Period) -> list[Revenue]:
    """Every local day of the period, days with nothing completed included (one query)."""
    per_day = {
        row["day"]: row
        for row in completed_in(period)
        .annotate(day=TruncDate("start", tzinfo=period.business.zone))
        .values("day")
        .annotate(completed=Count("pk"), revenue=Sum("price"))
        .order_by("day")
    }
    days = [period.first_day + timedelta(days=n) for n in range(period.days)]
    return [
        Revenue(
            key=day,
            label=day.isoformat(),
            completed=per_day[day]["completed"] if day in per_day else 0,
            revenue=per_day[day]["revenue"] if day in per_day else Decimal("0.00"),
        )
        for day in days
    ]


def revenue_by(appointments: QuerySet[Appointment], field: str) -> list[Revenue]:
    """Revenue per `field` ("staff" or "service") with something completed, in the salon's order."""
    rows = (
        appointments.values(f"{field}_id", f"{field}__name")
        .annotate(completed=Count("pk"), revenue=Sum("price"))
        .order_by(f"{field}__position", f"{field}__name", f"{field}_id")
    )
    return [
        Revenue(
            key=row[f"{field}_id"], label=row[f"{field}__name"], completed=row["completed"], revenue=row["revenue"]
        )
        for row in rows
    ]


def revenue_by_staff(period: Period) -> list[Revenue]:
    """One query."""
    return revenue_by(per_staff(completed_in(period), period), "staff")


def revenue_by_service(period: Period) -> list[Revenue]:
    """One query."""
    return revenue_by(completed_in(period), "service")


@dataclass
class Utilisation:
    """A staff member's booked minutes (every status but cancelled) of their working minutes."""

    staff_id: object
    name: str
    booked_minutes: int
    working_minutes: int

    @property
    def rate(self) -> Decimal | None:
        return percent(self.booked_minutes, self.working_minutes)


def utilisation(period: Period) -> list[Utilisation]:
    """Active staff (only `period.only_staff` if limited): the calendar's loader gives their
    working time, one more query their booked time."""
    staff = calendar.visible_staff(period.business, period.only_staff)
    working = calendar.load_working_time(period.business, staff, first_day=period.first_day, days=period.days)
    low, high = seconds(period.start), seconds(period.end)
    booked = dict(
        booked_in(period)
        .filter(staff__in=[member.pk for member in staff], status__in=KEPT_STATUSES)
        .values("staff_id")
        .annotate(duration=Sum("duration"))
        .values_list("staff_id", "duration")
        .order_by()
    )
    lines = []
    for member in staff:
        lines.append(
            Utilisation(
                staff_id=member.pk,
                name=member.name,
                booked_minutes=int(booked.get(member.pk, timedelta(0)).total_seconds()) // 60,
                working_minutes=working.working_minutes(member.pk, low, high),
            )
        )
    return lines


@dataclass
class Clients:
    """Distinct clients with an appointment kept (not cancelled) in the period: new ones had
    their first kept appointment at this salon in it, returning ones had one before."""

    new: int
    returning: int

    @property
    def total(self) -> int:
        return self.new + self.returning


def clients(period: Period) -> Clients:
    """One query: each client's first kept appointment here, for the clients seen in the period."""
    seen = (
        Appointment.objects.filter(business=period.business, status__in=KEPT_STATUSES)
        .values("customer_id")
        .annotate(
            first=Min("start"),
            in_period=Count("pk", filter=Q(start__gte=period.start, start__lt=period.end)),
        )
        .filter(in_period__gt=0)
        .order_by()
    )
    counts = seen.aggregate(
        new=Count("customer_id", filter=Q(first__gte=period.start)),
        returning=Count("customer_id", filter=Q(first__lt=period.start)),
    )
    return Clients(**counts)


@dataclass
class Source:
    source: str
    label: str
    booked: int


def sources(period: Period) -> list[Source]:
    """Appointments booked in the period (any status) per source, every source listed (one query)."""
    counts = booked_in(period).aggregate(
        **{source: Count("pk", filter=Q(source=source)) for source in Appointment.Source.values}
    )
    return [
        Source(source=value, label=str(label), booked=counts[value]) for value, label in Appointment.Source.choices
    ]
