"""Webhook endpoints over the API and in the admin: owners manage them; staff may look;
another salon's are 404; bad input is a 400 naming the field; the secret is shown once."""

from datetime import UTC, datetime, timedelta

import pytest

from businesses.models import Business
from integrations.models import WebhookDelivery, WebhookEndpoint
from tests.api_helpers import client_for, error_code
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

HOOK = "https://hooks.alpha.example/chairtime"


def webhooks(business) -> str:
    return f"/api/business/{business.pk}/webhooks"


def create(owner, business, **body):
    return client_for(owner).post(
        webhooks(business), {"url": HOOK, "events": ["appointment.created"], **body}, format="json"
    )


def test_an_owner_subscribes_and_sees_the_secret_only_once(alice, salon):
    response = create(alice, salon, events=["appointment.cancelled", "appointment.created"])
    assert response.status_code == 201
    created = response.json()
    assert set(created) == {"id", "url", "events", "is_active", "secret"}
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 30
    assert (created["url"], created["events"], created["is_active"]) == (
        HOOK,
        ["appointment.cancelled", "appointment.created"],
        True,
    )
    listed = client_for(alice).get(webhooks(salon)).json()
    assert listed == [{key: created[key] for key in ("id", "url", "events", "is_active")}]
    one = client_for(alice).get(f"{webhooks(salon)}/{created['id']}").json()
    assert "secret" not in one
    assert Business.objects.get(pk=salon.pk).webhook_events == ["appointment.cancelled", "appointment.created"]


def test_patch_and_delete_keep_the_salons_wanted_events(alice, salon):
    first = create(alice, salon, events=["appointment.created"]).json()
    create(alice, salon, events=["customer.created"])
    client = client_for(alice)
    response = client.patch(f"{webhooks(salon)}/{first['id']}", {"is_active": False}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert Business.objects.get(pk=salon.pk).webhook_events == ["customer.created"]
    response = client.patch(f"{webhooks(salon)}/{first['id']}", {"events": ["appointment.no_show"]}, format="json")
    assert response.json()["events"] == ["appointment.no_show"]
    assert client.delete(f"{webhooks(salon)}/{first['id']}").status_code == 204
    assert client.get(f"{webhooks(salon)}/{first['id']}").status_code == 404
    assert WebhookEndpoint.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"events": ["appointment.exploded"]}, "events"),
        ({"events": []}, "events"),
        ({"events": "appointment.created"}, "events"),
        ({"url": "not a url"}, "url"),
        ({"url": "ftp://hooks.example/x"}, "url"),
        ({"is_active": "perhaps"}, "is_active"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(alice, salon, body, field):
    response = create(alice, salon, **body)
    assert response.status_code == 400
    assert error_code(response) == "validation_error"
    assert field in response.json()["error"]["fields"]
    assert WebhookEndpoint.objects.count() == 0


def test_staff_neither_see_nor_change_them(alice, bob, salon):
    """Receiver URLs often carry a credential: owners only, as in the admin."""
    created = create(alice, salon).json()
    client = client_for(bob)
    for response in (
        client.get(webhooks(salon)),
        client.get(f"{webhooks(salon)}/{created['id']}"),
        client.post(webhooks(salon), {"url": HOOK, "events": ["appointment.created"]}, format="json"),
        client.patch(f"{webhooks(salon)}/{created['id']}", {"is_active": False}, format="json"),
        client.delete(f"{webhooks(salon)}/{created['id']}"),
    ):
        assert response.status_code == 403
        assert error_code(response) == "permission_denied"
    assert WebhookEndpoint.objects.get().is_active


def test_another_salons_endpoints_are_404(alice, charlie, salon, other_salon, dana):
    created = create(alice, salon).json()
    theirs = client_for(charlie)
    assert theirs.get(webhooks(salon)).status_code == 404
    assert theirs.get(f"{webhooks(salon)}/{created['id']}").status_code == 404
    assert (
        theirs.post(webhooks(salon), {"url": HOOK, "events": ["appointment.created"]}, format="json").status_code
        == 404
    )
    # Their own business's URL with our endpoint's id: still not theirs.
    assert theirs.get(f"{webhooks(other_salon)}/{created['id']}").status_code == 404
    assert theirs.delete(f"{webhooks(other_salon)}/{created['id']}").status_code == 404
    assert client_for(alice).get(f"{webhooks(salon)}/not-a-uuid").status_code == 404
    assert WebhookEndpoint.objects.count() == 1


def test_without_a_token_it_is_401(api_client, salon):
    response = api_client.get(webhooks(salon))
    assert response.status_code == 401 and error_code(response) == "not_authenticated"


def test_an_owner_subscribes_in_the_admin_and_sees_the_secret_once(client, alice, salon):
    client.force_login(alice)
    response = client.post(
        "/admin/integrations/webhookendpoint/add/",
        {"business": salon.pk, "url": HOOK, "events": ["appointment.created", "visit.created"], "is_active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["appointment.created", "visit.created"]
    assert endpoint.secret in response.content.decode()
    assert Business.objects.get(pk=salon.pk).webhook_events == ["appointment.created", "visit.created"]
    page = client.get(f"/admin/integrations/webhookendpoint/{endpoint.pk}/change/").content.decode()
    assert endpoint.secret not in page


def test_the_admin_refuses_a_private_url_in_production(client, alice, salon, settings):
    settings.WEBHOOKS_ALLOW_HTTP = False
    client.force_login(alice)
    response = client.post(
        "/admin/integrations/webhookendpoint/add/",
        {"business": salon.pk, "url": "http://hooks.alpha.example/x", "events": ["appointment.created"]},
    )
    assert response.status_code == 200
    assert "The URL must use https." in response.content.decode()
    assert WebhookEndpoint.objects.count() == 0


def test_staff_do_not_see_webhooks_in_the_admin(client, alice, bob, salon):
    create(alice, salon)
    client.force_login(bob)
    assert client.get("/admin/integrations/webhookendpoint/").status_code == 403
    assert client.get("/admin/integrations/webhookdelivery/").status_code == 403


def test_another_owner_does_not_see_ours_in_the_admin(client, alice, charlie, salon):
    endpoint = WebhookEndpoint.objects.get(pk=create(alice, salon).json()["id"])
    client.force_login(charlie)
    listing = client.get("/admin/integrations/webhookendpoint/")
    assert listing.status_code == 200 and HOOK not in listing.content.decode()
    assert client.get(f"/admin/integrations/webhookendpoint/{endpoint.pk}/change/").status_code == 404


def test_resend_from_the_admin_queues_the_delivery_again(client, alice, salon, django_capture_on_commit_callbacks):
    endpoint = WebhookEndpoint.objects.get(pk=create(alice, salon).json()["id"])
    now = datetime(2030, 3, 1, tzinfo=UTC)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type="appointment.created",
        ordering_key="k",
        payload={"type": "appointment.created"},
        status="failed",
        next_attempt_at=now,
        created_at=now - timedelta(days=2),
    )
    client.force_login(alice)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            "/admin/integrations/webhookdelivery/",
            {"action": "resend", "_selected_action": [delivery.pk]},
            follow=True,
        )
    assert "1 delivery queued again." in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert len(queued) == 1


def test_visit_events_carry_the_visits_shape(alice, salon, staff, services, django_capture_on_commit_callbacks):
    colour = ServiceFactory(business=salon, name="Root colour", duration=timedelta(minutes=60))
    colour.staff.set(staff)
    create(alice, salon, events=["visit.created", "visit.cancelled"])
    body = {
        "business_id": str(salon.pk),
        "items": [{"service_id": str(colour.pk)}, {"service_id": str(services[0].pk)}],
        "start": "2030-03-04T09:00:00+00:00",
        "customer": {"email": "vera@example.com"},
    }
    client = client_for(alice)
    with django_capture_on_commit_callbacks():
        visit = client.post("/api/appointments/create", body, format="json").json()
        assert client.put(f"/api/visits/{visit['visit_id']}/cancel", {}, format="json").status_code == 200
    created, cancelled = WebhookDelivery.objects.order_by("id")
    assert (created.event_type, cancelled.event_type) == ("visit.created", "visit.cancelled")
    assert created.payload["data"] == {**visit}
    assert cancelled.payload["data"]["status"] == "cancelled"
    assert created.ordering_key == visit["visit_id"]


def test_an_erased_customer_leaves_no_personal_data_in_the_outbox(alice, salon, staff, services):
    from booking.services import customer_erase
    from customers.models import CustomerAccount

    create(alice, salon, events=["customer.created", "appointment.created", "appointment.cancelled"])
    body = {
        "business_id": str(salon.pk),
        "service_id": str(services[0].pk),
        "staff_id": str(staff[0].pk),
        "start": "2030-03-04T10:00:00+00:00",
        "notes": "Allergic to latex",
        "customer": {"email": "erin@example.com", "first_name": "Erin", "phone": "+447911123456"},
    }
    assert client_for(alice).post("/api/appointments/create", body, format="json").status_code == 201
    assert WebhookDelivery.objects.filter(event_type="customer.created").exists()
    customer_erase(
        customer=CustomerAccount.objects.get(email="erin@example.com"), now=datetime(2030, 3, 1, tzinfo=UTC)
    )
    assert not WebhookDelivery.objects.filter(event_type="customer.created").exists()
    kept = list(WebhookDelivery.objects.values_list("event_type", "payload"))
    assert {event for event, _ in kept} == {"appointment.created", "appointment.cancelled"}
    assert all(payload["data"]["notes"] == "" for _, payload in kept)
    assert "erin" not in str(kept).lower() and "7911" not in str(kept)
