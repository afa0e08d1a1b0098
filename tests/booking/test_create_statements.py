"""Statements per create (issue 17): what a booking costs inside its transaction, pinned.

The API view's transaction is the outermost atomic block of the request; inside a test's
own transaction it is a savepoint, so the statements between that savepoint and its release
are the booking's transaction."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Appointment
from tests.api_helpers import client_for, customer_client

pytestmark = pytest.mark.django_db

MONDAY = "2030-03-04T{hour}:00:00+00:00"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2030, 3, 1, 12, tzinfo=UTC), tick=False)


def inside_the_transaction(queries: list[dict]) -> list[str]:
    """The statements of the request's (first, outermost) transaction, without its own
    begin and end."""
    statements = [query["sql"] for query in queries]
    first = next(n for n, sql in enumerate(statements) if sql.startswith("SAVEPOINT"))
    name = statements[first].split()[1]
    last = statements.index(f"RELEASE SAVEPOINT {name}")
    return statements[first + 1 : last]


def create(client, body: dict) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/appointments/create", body, format="json")
    assert response.status_code == 201, response.content
    assert Appointment.objects.filter(pk=response.json()["id"]).exists()
    return inside_the_transaction(queries.captured_queries)


@pytest.mark.parametrize(("known", "expected"), [(False, 10), (True, 7)])
def test_a_salon_booking_for_a_client_by_email(salon, staff, services, bob, known, expected):
    """Pinned: (a new client's account: select, savepoint, insert, release;) the client's
    select; the salon's record, upserted; the locks; the re-check; the insert; history; the
    outbox."""
    client = client_for(bob)
    if known:
        earlier = {"start": MONDAY.format(hour="09"), "customer": {"email": "walk.in@example.com"}}
        client.post("/api/appointments/create", body(salon, services[0], staff[0], **earlier), format="json")
    walk_in = {"start": MONDAY.format(hour="10"), "customer": {"email": "walk.in@example.com"}}
    statements = create(client, body(salon, services[0], staff[0], **walk_in))
    assert len(statements) == expected, "\n".join(statements)


def test_a_customer_booking_any_stylist(salon, staff, services):
    """Pinned at 10: the locks (stylists and the customer); the booking limit; the re-check;
    who of the two free has less booked that day; a savepoint, the insert and its release (the
    other stylist can be tried if the constraint refuses); history; the salon's record; the
    outbox."""
    client, _ = customer_client("dana@example.com")
    earlier = body(salon, services[0], None, start=MONDAY.format(hour="09"))
    client.post("/api/appointments/create", earlier, format="json")
    statements = create(client, body(salon, services[0], None, start=MONDAY.format(hour="10")))
    assert len(statements) == 10, "\n".join(statements)


def body(salon, service, staff, **extra) -> dict:
    return {
        "business_id": str(salon.pk),
        "service_id": str(service.pk),
        **({"staff_id": str(staff.pk)} if staff else {}),
        **extra,
    }
