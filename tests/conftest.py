"""The cast: Alice owns the salon, Bob works there, Charlie owns another salon whose
data must never show up in Alice's or Bob's answers; Dana is a customer."""

import functools
import threading
from datetime import timedelta
from decimal import Decimal
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.test import APIClient

from businesses.models import BusinessMembership
from tests.factories import (
    BusinessFactory,
    CustomerFactory,
    MembershipFactory,
    ServiceFactory,
    StaffMemberFactory,
    UserFactory,
    open_all_week,
)


@pytest.fixture
def salon(db):
    business = BusinessFactory(name="Salon Alpha", slug="salon-alpha")
    return business


@pytest.fixture
def staff(salon):
    ana = StaffMemberFactory(business=salon, name="Ana")
    ben = StaffMemberFactory(business=salon, name="Ben")
    return [ana, ben]


@pytest.fixture
def services(salon, staff):
    cut = ServiceFactory(business=salon, name="Cut", duration=timedelta(minutes=30), price=Decimal("30.00"))
    colour = ServiceFactory(
        business=salon,
        name="Colour",
        duration=timedelta(minutes=90),
        price=Decimal("95.00"),
        buffer_before=timedelta(minutes=10),
        buffer_after=timedelta(minutes=15),
    )
    consult = ServiceFactory(business=salon, name="Consultation", duration=timedelta(minutes=15), price=Decimal(0))
    cut.staff.set(staff)
    colour.staff.set(staff)
    consult.staff.set(staff[:1])
    open_all_week(salon, *staff)
    return [cut, colour, consult]


@pytest.fixture
def alice(salon):
    """Owner of the salon."""
    return MembershipFactory(business=salon, user__email="alice@alpha.example", role="owner").user


@pytest.fixture
def bob(salon):
    """Staff (not owner) of the salon."""
    return MembershipFactory(business=salon, user__email="bob@alpha.example", role=BusinessMembership.Role.STAFF).user


@pytest.fixture
def other_salon(db):
    business = BusinessFactory(name="Salon Beta", slug="salon-beta", timezone="America/New_York", country="US")
    member = StaffMemberFactory(business=business, name="Zed")
    service = ServiceFactory(business=business, name="Beta cut")
    service.staff.set([member])
    open_all_week(business, member)
    return business


@pytest.fixture
def charlie(other_salon):
    """Owner of the other salon: must never see the first salon's data."""
    return MembershipFactory(business=other_salon, user__email="charlie@beta.example", role="owner").user


@pytest.fixture
def dana(db):
    return CustomerFactory(email="dana@example.com", first_name="Dana", last_name="Doe")


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and throttles count in the cache: every test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    """Tests send traffic only to loopback: an outbound request anywhere else (a webhook URL
    the schemathesis run made up, say) fails as a network error before any lookup."""
    import ipaddress

    import httpx

    real = httpx.HTTPTransport.handle_request

    def loopback_only(self, request):
        host = request.url.host
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise httpx.ConnectError(f"tests send traffic only to loopback, not to {host}", request=request)
        return real(self, request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", loopback_only)


@pytest.fixture
def sms_outbox(settings, tmp_path):
    """SMS_URL pointed at a folder: one file per message."""
    folder = tmp_path / "sms"
    settings.SMS_URL = f"file:///{folder}"

    class Outbox:
        def messages(self) -> list[str]:
            return [p.read_text() for p in sorted(folder.glob("*.sms"))] if folder.exists() else []

    return Outbox()


pytest_plugins = ["tests.browser"]


@pytest.fixture
def host_site(tmp_path):
    """A static web server on 127.0.0.1 standing in for the salon's own website."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
