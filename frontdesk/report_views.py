"""The reports page and its CSV files, in the admin behind its login and scoped like the
calendar: a business the user does not work for is a 404. The figures come from
frontdesk/reports.py; here they become tables (the same ones on the page and in the CSV
files), charts and downloads.
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import cast
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from businesses.models import Business
from businesses.selectors import own_column_only
from config.inputs import validate_within_input_range
from config.locale_format import pattern_date
from frontdesk import reports
from frontdesk.charts import Bar, bar_chart
from frontdesk.views import business_in_scope, choose_business, context, required_business, show

Cell = str | int | Decimal | None
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    name: str  # the ?table= of its CSV file
    caption: str
    headers: list[str]
    rows: list[list[Cell]]  # the first cell of each row names it
    chart: str = ""
    csv_url: str = ""


def summary_table(period: reports.Period) -> Table:
    totals = reports.summary(period)
    return Table(
        name="summary",
        caption=_("Appointments booked (by start) and what became of them"),
        headers=[_("Measure"), _("Value"), share_of_booked()],
        rows=[
            [booked_heading(), totals.booked, None],
            [completed_heading(), totals.completed, totals.completed_rate],
            [cancelled_heading(), totals.cancelled, totals.cancelled_rate],
            [_("No-shows"), totals.no_shows, totals.no_show_rate],
            [revenue_heading(period.business.currency), totals.revenue, None],
        ],
    )


# A "%" that is not a placeholder: the comments keep xgettext from flagging python-format.
def share_of_booked() -> str:
    # xgettext:no-python-format
    return _("% of booked")


def share_of_clients() -> str:
    # xgettext:no-python-format
    return _("% of clients")


def booked_heading() -> str:
    return pgettext("report: a number of appointments", "Booked")


def completed_heading() -> str:
    return pgettext("report: a number of appointments", "Completed")


def cancelled_heading() -> str:
    return pgettext("report: a number of appointments", "Cancelled")


def revenue_heading(currency: str) -> str:
    return _("Revenue (%(currency)s)") % {"currency": currency}


def revenue_rows(lines: list[reports.Revenue]) -> list[list[Cell]]:
    return [[line.label, line.completed, line.revenue] for line in lines]


def revenue_by_day_table(period: reports.Period) -> Table:
    days = reports.revenue_by_day(period)
    currency = period.business.currency
    chart = bar_chart(
        key="revenue-by-day",
        title=_("Revenue per day (%(currency)s)") % {"currency": currency},
        bars=[
            Bar(
                label=pattern_date(cast(date, line.key), "dd MMM"),
                value=line.revenue,
                shown=f"{line.revenue} {currency}",
            )
            for line in days
        ],
        description=_("Completed appointments' revenue for each day; the table above gives the same figures."),
    )
    return Table(
        name="revenue_by_day",
        caption=_("Revenue per day (completed appointments)"),
        headers=[_("Day"), completed_heading(), revenue_heading(currency)],
        rows=revenue_rows(days),
        chart=chart,
    )


def revenue_by_staff_table(period: reports.Period) -> Table:
    return Table(
        name="revenue_by_staff",
        caption=_("Revenue per staff member (completed appointments)"),
        headers=[
            _("Staff"),
            completed_heading(),
            revenue_heading(period.business.currency),
        ],
        rows=revenue_rows(reports.revenue_by_staff(period)),
    )


def revenue_by_service_table(period: reports.Period) -> Table:
    return Table(
        name="revenue_by_service",
        caption=_("Revenue per service (completed appointments)"),
        headers=[
            _("Service"),
            completed_heading(),
            revenue_heading(period.business.currency),
        ],
        rows=revenue_rows(reports.revenue_by_service(period)),
    )


def utilisation_table(period: reports.Period) -> Table:
    return Table(
        name="utilisation",
        caption=_("Utilisation: booked minutes (not cancelled) of working minutes"),
        headers=[_("Staff"), _("Booked minutes"), _("Working minutes"), _("Utilisation %")],
        rows=[
            [line.name, line.booked_minutes, line.working_minutes, line.rate] for line in reports.utilisation(period)
        ],
    )


def clients_table(period: reports.Period) -> Table:
    seen = reports.clients(period)
    return Table(
        name="clients",
        caption=_("Clients with an appointment (not cancelled): new or returning"),
        headers=[_("Clients"), _("Count"), share_of_clients()],
        rows=[
            [_("New"), seen.new, reports.percent(seen.new, seen.total)],
            [_("Returning"), seen.returning, reports.percent(seen.returning, seen.total)],
            [_("All"), seen.total, None],
        ],
    )


def sources_table(period: reports.Period) -> Table:
    counts = reports.sources(period)
    booked = sum(line.booked for line in counts)
    chart = bar_chart(
        key="sources",
        title=_("Bookings by source"),
        bars=[Bar(label=line.label, value=line.booked, shown=str(line.booked)) for line in counts],
        description=_("Appointments booked through each channel; the table above gives the same figures."),
    )
    return Table(
        name="sources",
        caption=_("Bookings by source"),
        headers=[_("Source"), booked_heading(), share_of_booked()],
        rows=[[line.label, line.booked, reports.percent(line.booked, booked)] for line in counts],
        chart=chart,
    )


TABLES: dict[str, Callable[[reports.Period], Table]] = {
    "summary": summary_table,
    "revenue_by_day": revenue_by_day_table,
    "revenue_by_staff": revenue_by_staff_table,
    "revenue_by_service": revenue_by_service_table,
    "utilisation": utilisation_table,
    "clients": clients_table,
    "sources": sources_table,
}


class PeriodForm(forms.Form):
    """?from=&to= (local dates, inclusive). `from` is a Python keyword, hence the fields are
    added in __init__."""

    def __init__(self, data: dict, **kwargs) -> None:
        super().__init__(data, **kwargs)
        for name, label in (("from", _("From")), ("to", _("To"))):
            self.fields[name] = forms.DateField(
                label=label,
                widget=forms.DateInput(attrs={"type": "date"}),
                validators=[validate_within_input_range],
            )

    def clean(self) -> dict:
        super().clean()
        if not self.errors:
            try:
                reports.period_check(self.cleaned_data["from"], self.cleaned_data["to"])
            except reports.PeriodError as error:
                raise ValidationError(str(error)) from None
        return self.cleaned_data


def period_form(request: HttpRequest, business: Business) -> PeriodForm:
    """The dates asked for; a missing one is the default (the last 30 days to today)."""
    first, last = reports.default_days(timezone.localdate(timezone.now(), business.zone))
    return PeriodForm(
        {
            "from": request.GET.get("from") or first.isoformat(),
            "to": request.GET.get("to") or last.isoformat(),
        }
    )


def period_of(request: HttpRequest, business: Business, form: PeriodForm) -> reports.Period:
    return reports.Period(
        business=business,
        first_day=form.cleaned_data["from"],
        last_day=form.cleaned_data["to"],
        only_staff=own_column_only(request.user, business),
    )


def csv_url(business: Business, first_day: date, last_day: date, table: str) -> str:
    query = {"business": str(business.pk), "from": first_day.isoformat(), "to": last_day.isoformat(), "table": table}
    return f"{reverse('admin:frontdesk-reports-csv')}?{urlencode(query)}"


@require_GET
def reports_view(request: HttpRequest) -> HttpResponse:
    business = business_in_scope(request)
    if business is None:
        return choose_business(request, "frontdesk-reports")
    form = period_form(request, business)
    tables = []
    period = None
    if form.is_valid():
        period = period_of(request, business, form)
        tables = [build(period) for build in TABLES.values()]
        for table in tables:
            table.csv_url = csv_url(business, period.first_day, period.last_day, table.name)
    return show(
        request,
        "reports.html",
        context(
            request,
            business,
            title=_("Reports — %(salon)s") % {"salon": business.name},
            form=form,
            period=period,
            tables=tables,
        ),
    )


def spreadsheet_safe(cell: Cell) -> Cell:
    """Text a spreadsheet would run as a formula is quoted; numbers are left as they are."""
    if cell is None:
        return ""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return f"'{cell}"
    return cell


def problems(form: PeriodForm) -> str:
    return " ".join(
        f"{'' if field == '__all__' else f'{field}: '}{error}"
        for field, errors in form.errors.items()
        for error in errors
    )


@require_GET
def reports_csv(request: HttpRequest) -> HttpResponse:
    business = required_business(request)
    name = request.GET.get("table", "")
    if name not in TABLES:
        message = _("Unknown table; choose one of: %(tables)s.") % {"tables": ", ".join(TABLES)}
        return HttpResponseBadRequest(message, content_type="text/plain")
    form = period_form(request, business)
    if not form.is_valid():
        return HttpResponseBadRequest(
            _("Bad dates: %(problems)s") % {"problems": problems(form)}, content_type="text/plain"
        )
    period = period_of(request, business, form)
    table = TABLES[name](period)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{business.slug}-{name}-{period.first_day}-{period.last_day}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(table.headers)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in table.rows)
    return response
