"""The front desk's calendar (DESIGN §5 `/admin/calendar/`): a grid of rows and columns.

One loader reads a business's day or week in a constant number of queries (`load`), and
one pure function lays a column out (`lay_out_column`): each row of the grid is given to
what holds it (an appointment, its buffer, time off, time nobody works, or nothing), and
consecutive rows held by the same thing merge into one cell (an HTML `rowspan`), so the page
needs no inline style and no script to show it.

Rows are instants, not wall-clock times: the day view steps `slot_interval` from the
salon's opening in absolute time, so a 23-hour or 25-hour DST day has 4 rows an hour fewer
or more, each labelled with its local time.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from booking.availability import Span, local_instant, merged, seconds, subtract, working_shifts
from booking.models import KEPT_STATUSES, OCCUPYING_STATUSES, Appointment
from booking.selectors import weekly_hours
from businesses.models import Business, OpeningHours, Resource, StaffMember, TimeOff, WorkingHours
from config.locale_format import pattern_date
from customers.models import CustomerBusinessRelationship

WEEK = 7


@dataclass
class Cell:
    """One table cell: `kind` is appointment, processing (its processing window: the stylist
    may book someone else there), buffer, off (time off or closure), closed (nobody works) or
    free; it spans `rows` rows from `start`."""

    kind: str
    start: datetime
    rows: int = 1
    appointment: Appointment | None = None
    reason: str = ""
    url: str = ""  # free and processing cells: where clicking books (or moves an appointment) there


@dataclass
class Column:
    key: str  # the staff member's or resource's id (day views) or the ISO date (week view)
    title: str
    staff: StaffMember | None  # None: a resource's column (its free cells book nobody)
    day: date
    cells: dict[int, Cell] = field(default_factory=dict)  # first row index -> cell
    cancelled: list[Appointment] = field(default_factory=list)


@dataclass
class Row:
    start: datetime  # UTC
    label: str  # local wall-clock time (with the zone's abbreviation where it changes)
    is_now: bool = False
    cells: list[tuple[Column, Cell]] = field(default_factory=list)


@dataclass
class DayLoad:
    """One staff member's load on one day: booked minutes of working minutes."""

    staff: StaffMember
    day: date
    appointments: int
    booked_minutes: int
    working_minutes: int

    @property
    def percent(self) -> int:
        return round(100 * self.booked_minutes / self.working_minutes) if self.working_minutes else 0


@dataclass
class WorkingTime:
    """Who works when over a run of local dates (weekly hours ∩ opening hours, time off and
    closures), as epoch-second spans: read in four queries."""

    opening: dict
    shifts: dict  # staff id -> working spans (weekly hours ∩ opening hours)
    time_off: dict  # staff id -> [(span, reason)]
    closures: list  # [(span, reason)]

    def working(self, staff_id: object, low: int, high: int) -> list[Span]:
        """The staff member's working time within [low, high): shifts minus time off and closures."""
        shifts = [(max(s, low), min(e, high)) for s, e in self.shifts[staff_id] if s < high and e > low]
        away = merged(span for span, _ in [*self.time_off[staff_id], *self.closures])
        return subtract(merged(shifts), away)

    def working_minutes(self, staff_id: object, low: int, high: int) -> int:
        return sum(end - start for start, end in self.working(staff_id, low, high)) // 60


def load_working_time(business: Business, staff: list[StaffMember], *, first_day: date, days: int) -> WorkingTime:
    zone = business.zone
    range_start = local_instant(first_day, time(0), zone)
    range_end = local_instant(first_day + timedelta(days=days), time(0), zone)
    opening = weekly_hours(OpeningHours.objects.filter(business=business).values_list("weekday", "start", "end"))
    weekly: dict = defaultdict(lambda: defaultdict(list))
    for staff_id, weekday, start, end in WorkingHours.objects.filter(staff__in=[m.pk for m in staff]).values_list(
        "staff_id", "weekday", "start", "end"
    ):
        weekly[staff_id][weekday].append((start, end))
    shifts = {
        member.pk: working_shifts(weekly[member.pk], opening, first_day=first_day, days=days, zone=zone)
        for member in staff
    }
    time_off: dict = defaultdict(list)
    closures: list[tuple[Span, str]] = []
    for staff_id, away_from, away_until, reason in TimeOff.objects.filter(
        business=business, start__lt=range_end, end__gt=range_start
    ).values_list("staff_id", "start", "end", "reason"):
        entry = ((seconds(away_from), seconds(away_until)), reason)
        (time_off[staff_id] if staff_id else closures).append(entry)
    return WorkingTime(opening=opening, shifts=shifts, time_off=time_off, closures=closures)


@dataclass
class Loaded(WorkingTime):
    """What a day or week of the calendar needs, read in a constant number of queries."""

    business: Business
    staff: list[StaffMember]
    first_day: date
    days: int
    appointments: list[Appointment]  # each with the salon's name for the client and their warnings


@dataclass(frozen=True)
class VisitOutline:
    """What a visit item's block says of its visit: its place, and every item in one line."""

    items: list[Appointment]
    zone: ZoneInfo

    def position(self, appointment: Appointment) -> str:
        """ "1 of 2"; empty for an item no longer standing."""
        found = [i for i, item in enumerate(self.items, 1) if item.pk == appointment.pk]
        # Translators: an item's place in a visit: "1 of 2".
        return _("%(place)d of %(count)d") % {"place": found[0], "count": len(self.items)} if found else ""

    def summary(self) -> str:
        return " → ".join(
            f"{i.start.astimezone(self.zone):%H:%M} {i.service.name} ({i.staff.name})" for i in self.items
        )


def visit_outlines(visit_ids: set, zone: ZoneInfo) -> dict:
    """The standing items of these visits, in time order (one query, none without visits)."""
    if not visit_ids:
        return {}
    items = (
        Appointment.objects.filter(visit_id__in=visit_ids, status__in=OCCUPYING_STATUSES)
        .select_related("service", "staff")
        .order_by("start", "pk")
    )
    grouped: dict = {}
    for item in items:
        grouped.setdefault(item.visit_id, []).append(item)
    return {visit_id: VisitOutline(found, zone) for visit_id, found in grouped.items()}


def load(business: Business, staff: list[StaffMember], *, first_day: date, days: int) -> Loaded:
    """Everything shown for `staff` over `days` local dates: six queries (seven with visits
    on the page), however many staff and appointments."""
    zone = business.zone
    range_start = local_instant(first_day, time(0), zone)
    range_end = local_instant(first_day + timedelta(days=days), time(0), zone)
    working = load_working_time(business, staff, first_day=first_day, days=days)
    appointments = list(
        Appointment.objects.filter(staff__in=[m.pk for m in staff], start__lt=range_end, end__gt=range_start)
        .select_related("customer", "service")
        .order_by("start", "pk")
    )
    relationships = CustomerBusinessRelationship.objects.filter(
        business=business, customer__in={a.customer_id for a in appointments}
    )
    names = {}
    warnings = {}
    for relationship in relationships.select_related("customer"):
        names[relationship.customer_id] = relationship.display_name
        warnings[relationship.customer_id] = relationship.warnings
    visits = visit_outlines({a.visit_id for a in appointments if a.visit_id}, zone)
    for appointment in appointments:
        # Shown on the block: the name this salon knows the client by, and their warnings.
        appointment.client_name = names.get(appointment.customer_id) or str(appointment.customer)  # type: ignore[attr-defined]
        appointment.client_warnings = warnings.get(appointment.customer_id, [])  # type: ignore[attr-defined]
        outline = visits.get(appointment.visit_id)
        appointment.visit_outline = outline  # type: ignore[attr-defined]
        appointment.visit_position = outline.position(appointment) if outline else ""  # type: ignore[attr-defined]
    return Loaded(
        **vars(working),
        business=business,
        staff=staff,
        first_day=first_day,
        days=days,
        appointments=appointments,
    )


def visible_staff(business: Business, only: set | None) -> list[StaffMember]:
    """Active staff shown as columns (one query): all, or those in `only` (a member limited to
    their own column)."""
    members = business.staff.filter(is_active=True).order_by("position", "name", "pk")
    if only is not None:
        members = members.filter(pk__in=only)
    return list(members)


def row_index(rows: list[int], instant: int) -> int:
    """The row whose [start, next start) holds `instant` (clamped to the grid)."""
    index = 0
    for i, start in enumerate(rows):
        if start <= instant:
            index = i
        else:
            break
    return index


# What holds a row: (kind, key, appointment, reason); rows with equal kind and key merge.
Holding = tuple[str, tuple, Appointment | None, str]


def lay_out_column(
    rows: list[int],
    grid_end: int,
    *,
    appointments: list[Appointment],
    shifts: list[Span],
    time_off: list[tuple[Span, str]],
    for_staff: bool = True,
) -> dict[int, Holding]:
    """Give each row (start instants `rows`, the last ending at `grid_end`) to what holds it.

    An appointment takes the rows from the one its start falls in to the one holding its
    last second (at least one row, never a row an earlier appointment took); its buffers
    take the free rows they overlap; time off and closures the rest they overlap; rows not
    wholly in working time are closed; the others are free. A resource's column
    (`for_staff=False`) has no buffers or processing windows: the client keeps the basin.
    """
    ends = [*rows[1:], grid_end]
    holder: dict[int, Holding] = {}
    # What holds the time first, then finished appointments in the rows still empty (a
    # no-show's time may have been booked again).
    for appointment in sorted(appointments, key=lambda a: (a.status not in OCCUPYING_STATUSES, a.start)):
        first = row_index(rows, seconds(appointment.start))
        last = max(first, row_index(rows, seconds(appointment.end) - 1))
        while first in holder and first < last:
            first += 1
        if first in holder:
            continue  # no row left to show it in: its panel is still reached from the client card
        developing = processing_rows(appointment, rows, ends) - {first} if for_staff else set()
        for i in range(first, last + 1):
            if i not in developing:
                holder.setdefault(i, ("appointment", (appointment.pk,), appointment, ""))
    # A processing window leaves the stylist free: its rows stay bookable, drawn lighter,
    # unless another client was booked into them.
    for appointment in appointments if for_staff else ():
        if appointment.status in OCCUPYING_STATUSES:
            for i in processing_rows(appointment, rows, ends):
                holder.setdefault(i, ("processing", (appointment.pk, i), appointment, ""))
    for appointment in appointments if for_staff else ():
        before = (seconds(appointment.blocked_range.lower), seconds(appointment.start))
        after = (seconds(appointment.end), seconds(appointment.blocked_range.upper))
        for part, (low, high) in (("before", before), ("after", after)):
            for i, (start, end) in enumerate(zip(rows, ends, strict=True)):
                if low < high and start < high and low < end:
                    holder.setdefault(i, ("buffer", (appointment.pk, part), appointment, ""))
    for (low, high), reason in time_off:
        for i, (start, end) in enumerate(zip(rows, ends, strict=True)):
            if start < high and low < end:
                holder.setdefault(i, ("off", (low, high), None, reason))
    working = subtract(merged(shifts), merged(span for span, _ in time_off))
    for i, (start, end) in enumerate(zip(rows, ends, strict=True)):
        if i not in holder and end <= start:  # a wall-clock time the clocks skip (week view)
            holder[i] = ("closed", (), None, "")
        elif i not in holder:
            inside = any(low <= start and end <= high for low, high in working)
            holder[i] = ("free", (i,), None, "") if inside else ("closed", (), None, "")
    return holder


def processing_rows(appointment: Appointment, rows: list[int], ends: list[int]) -> set[int]:
    """The rows wholly inside the appointment's processing window."""
    window = appointment.processing_range
    if window is None:
        return set()
    low, high = seconds(window.lower), seconds(window.upper)
    return {i for i, (start, end) in enumerate(zip(rows, ends, strict=True)) if low <= start and end <= high}


def merge_cells(rows: list[datetime], holder: dict[int, Holding]) -> dict[int, Cell]:
    """Consecutive rows held by the same thing become one cell (free rows differ by key:
    each is a time to book)."""
    cells: dict[int, Cell] = {}
    current: Cell | None = None
    current_key: tuple | None = None
    for i, start in enumerate(rows):
        kind, key, appointment, reason = holder[i]
        if current is not None and (kind, key) == current_key:
            current.rows += 1
            continue
        current = Cell(kind=kind, start=start, appointment=appointment, reason=reason)
        current_key = (kind, key)
        cells[i] = current
    return cells


def instant(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def day_rows(loaded: Loaded, day: date, appointments: list[Appointment]) -> tuple[list[int], int]:
    """The day view's rows: every slot interval over the opening hours in absolute time,
    widened (on the same grid) to cover appointments outside them. Empty on a closed day
    with nothing booked."""
    zone = loaded.business.zone
    step = int(loaded.business.slot_interval.total_seconds())
    hours = loaded.opening.get(day.weekday(), [])
    day_start, day_end = (seconds(local_instant(day + timedelta(days=n), time(0), zone)) for n in (0, 1))
    if hours:
        first = seconds(local_instant(day, min(start for start, _ in hours), zone))
        last = seconds(local_instant(day, max(end for _, end in hours), zone))
    elif appointments:
        first = last = seconds(appointments[0].start)
    else:
        return [], 0
    for appointment in appointments:
        low = max(day_start, seconds(appointment.blocked_range.lower))
        high = min(day_end, seconds(appointment.blocked_range.upper))
        while first > low:
            first -= step
        while last < high:
            last += step
    while first < day_start:
        first += step
    return list(range(first, last, step)), last


def week_rows(loaded: Loaded, day: date, clock: list[time]) -> tuple[list[int], int]:
    """The week view's rows on one day: the same wall-clock times every day. A time the
    clocks skip that day (spring forward) becomes an empty row at the next real one."""
    zone = loaded.business.zone
    if not clock:
        return [], 0
    grid_end = seconds(local_instant(day, clock[-1], zone)) + loaded.business.slot_interval_minutes * 60
    rows: list[int] = []
    for at in reversed(clock):
        moment = local_instant(day, at, zone)
        exists = moment.astimezone(zone).time() == at
        rows.append(seconds(moment) if exists else (rows[-1] if rows else grid_end))
    return rows[::-1], grid_end


def labelled(rows: list[int], grid_end: int, zone: ZoneInfo, *, now: datetime) -> list[Row]:
    result = []
    previous_zone = None
    now_epoch = seconds(now)
    ends = [*rows[1:], grid_end] if rows else []
    for start, end in zip(rows, ends, strict=True):
        local = instant(start).astimezone(zone)
        name = local.tzname()
        label = f"{local:%H:%M}" + (f" {name}" if previous_zone and name != previous_zone else "")
        previous_zone = name
        result.append(Row(start=instant(start), label=label, is_now=start <= now_epoch < end))
    return result


def attach(rows: list[Row], columns: list[Column]) -> None:
    for i, row in enumerate(rows):
        row.cells = [(column, column.cells[i]) for column in columns if i in column.cells]


def kept(appointments: list[Appointment]) -> list[Appointment]:
    """What the grid shows: every appointment but the cancelled ones (those are listed apart)."""
    return [a for a in appointments if a.status in KEPT_STATUSES]


@dataclass
class CalendarPage:
    rows: list[Row]
    columns: list[Column]
    loads: list[DayLoad] = field(default_factory=list)


def column_for(
    loaded: Loaded, member: StaffMember, day: date, rows: list[int], grid_end: int, *, key: str, title: str
) -> Column:
    zone = loaded.business.zone
    day_start, day_end = (seconds(local_instant(day + timedelta(days=n), time(0), zone)) for n in (0, 1))
    mine = [
        a
        for a in loaded.appointments
        if a.staff_id == member.pk and seconds(a.start) < day_end and seconds(a.end) > day_start
    ]
    shown = kept(mine)
    away = [*loaded.time_off[member.pk], *loaded.closures]
    holder = (
        lay_out_column(rows, grid_end, appointments=shown, shifts=loaded.shifts[member.pk], time_off=away)
        if rows
        else {}
    )
    column = Column(key=key, title=title, staff=member, day=day)
    column.cells = merge_cells([instant(r) for r in rows], holder) if rows else {}
    column.cancelled = [a for a in mine if a.status == Appointment.Status.CANCELLED]
    return column


def day_view(loaded: Loaded, *, now: datetime) -> CalendarPage:
    day = loaded.first_day
    zone = loaded.business.zone
    shown = kept(loaded.appointments)
    rows, grid_end = day_rows(loaded, day, shown)
    columns = [
        column_for(loaded, member, day, rows, grid_end, key=str(member.pk), title=member.name)
        for member in loaded.staff
    ]
    labels = labelled(rows, grid_end, zone, now=now)
    attach(labels, columns)
    return CalendarPage(rows=labels, columns=columns)


def resource_day_view(
    loaded: Loaded, resources: list[Resource], held: dict[object, set], *, now: datetime
) -> CalendarPage:
    """One column per resource (basin, room): the bookings holding it, over the opening hours
    (closures greyed). `held`: resource id -> ids of the appointments holding it."""
    day = loaded.first_day
    zone = loaded.business.zone
    shown = kept(loaded.appointments)
    rows, grid_end = day_rows(loaded, day, shown)
    opening = working_shifts(loaded.opening, loaded.opening, first_day=day, days=1, zone=zone)
    columns = []
    for resource in resources:
        holding = [a for a in shown if a.pk in held.get(resource.pk, set())]
        holder = (
            lay_out_column(
                rows, grid_end, appointments=holding, shifts=opening, time_off=loaded.closures, for_staff=False
            )
            if rows
            else {}
        )
        column = Column(key=str(resource.pk), title=f"{resource.name} ({resource.kind})", staff=None, day=day)
        column.cells = merge_cells([instant(r) for r in rows], holder) if rows else {}
        columns.append(column)
    labels = labelled(rows, grid_end, zone, now=now)
    attach(labels, columns)
    return CalendarPage(rows=labels, columns=columns)


def minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def week_clock(loaded: Loaded) -> list[time]:
    """Wall-clock rows for a week: every slot interval from the earliest opening to the
    latest closing of the week, widened on the same grid to cover appointments outside them."""
    zone = loaded.business.zone
    step = loaded.business.slot_interval_minutes
    hours = [interval for intervals in loaded.opening.values() for interval in intervals]
    spans = [(minutes(start), minutes(end)) for start, end in hours]
    for appointment in kept(loaded.appointments):
        low = appointment.blocked_range.lower.astimezone(zone)
        high = appointment.blocked_range.upper.astimezone(zone)
        spans.append((minutes(low.time()), minutes(high.time()) if high.date() == low.date() else 24 * 60))
    if not spans:
        return []
    anchor = min(minutes(start) for start, _ in hours) if hours else min(low for low, _ in spans)
    first = anchor - -(-(anchor - min(low for low, _ in spans)) // step) * step
    while first < 0:
        first += step
    last = max(high for _, high in spans)
    return [time(m // 60, m % 60) for m in range(first, min(last, 24 * 60), step)]


def week_view(loaded: Loaded, member: StaffMember, *, now: datetime) -> CalendarPage:
    clock = week_clock(loaded)
    zone = loaded.business.zone
    columns = []
    label_rows: list[Row] = []
    for offset in range(loaded.days):
        day = loaded.first_day + timedelta(days=offset)
        rows, grid_end = week_rows(loaded, day, clock)
        column = column_for(
            loaded, member, day, rows, grid_end, key=day.isoformat(), title=pattern_date(day, "EEE dd MMM")
        )
        columns.append(column)
        if not label_rows and rows:
            label_rows = labelled(rows, grid_end, zone, now=now)
            for row, at in zip(label_rows, clock, strict=True):
                row.label, row.is_now = f"{at:%H:%M}", False
    attach(label_rows, columns)
    return CalendarPage(rows=label_rows, columns=columns)


def team_load(loaded: Loaded) -> list[list[DayLoad]]:
    """Per day (rows) and staff member (columns): appointments, booked and working minutes."""
    zone = loaded.business.zone
    table = []
    for offset in range(loaded.days):
        day = loaded.first_day + timedelta(days=offset)
        day_start, day_end = (seconds(local_instant(day + timedelta(days=n), time(0), zone)) for n in (0, 1))
        line = []
        for member in loaded.staff:
            booked = [
                a
                for a in loaded.appointments
                if a.staff_id == member.pk and a.status in KEPT_STATUSES and day_start <= seconds(a.start) < day_end
            ]
            line.append(
                DayLoad(
                    staff=member,
                    day=day,
                    appointments=len(booked),
                    booked_minutes=sum(int(a.duration.total_seconds()) for a in booked) // 60,
                    working_minutes=loaded.working_minutes(member.pk, day_start, day_end),
                )
            )
        table.append(line)
    return table
