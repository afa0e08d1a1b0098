"""The private-network guard of webhook deliveries, in production settings. The resolver is
stubbed and the transport fails the test if it is reached: nothing here connects anywhere."""

import httpx
import pytest

from integrations import outbound
from tests.api_helpers import client_for, error_code


@pytest.fixture
def production(settings):
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False


@pytest.fixture
def resolver(monkeypatch):
    """DNS as the test says: name -> addresses."""
    answers: dict[str, list[str]] = {}

    def resolve(host: str, port: int) -> list[str]:
        if host in answers:
            return answers[host]
        try:  # an address literal resolves to itself, as getaddrinfo does
            outbound.is_public(host)
        except ValueError:
            raise OSError(f"unknown host {host}") from None
        return [host]

    monkeypatch.setattr(outbound, "resolve", resolve)
    return answers


@pytest.fixture
def no_network(monkeypatch):
    def reached(self, request):
        raise AssertionError(f"a refused destination was connected to: {request.url}")

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", reached)


@pytest.mark.parametrize(
    ("url", "dns"),
    [
        ("https://127.0.0.1/hooks", {}),
        ("https://169.254.169.254/latest/meta-data/", {}),  # the cloud metadata address
        ("https://hooks.salon.example/in", {"hooks.salon.example": ["10.0.0.1"]}),
        ("https://mixed.example/in", {"mixed.example": ["93.184.215.14", "192.168.1.5"]}),  # any private one
        ("https://[::1]:8443/hooks", {}),
        ("https://v6.example/", {"v6.example": ["::ffff:10.0.0.1"]}),  # IPv4-mapped
        ("https://ula.example/", {"ula.example": ["fd00:ec2::254"]}),  # unique local (a metadata address too)
        ("https://cgnat.example/", {"cgnat.example": ["100.64.0.1"]}),
        ("https://zero.example/", {"zero.example": ["0.0.0.0"]}),
        ("https://localhost/", {"localhost": ["127.0.0.1", "::1"]}),
        # IPv6 forms that carry an IPv4 address to a translator or tunnel: NAT64, 6to4,
        # Teredo, IPv4-compatible, IPv4-translated; and the old site-local range.
        ("https://nat64.example/", {"nat64.example": ["64:ff9b::a00:5"]}),
        ("https://nat64local.example/", {"nat64local.example": ["64:ff9b:1::a00:5"]}),
        ("https://sixtofour.example/", {"sixtofour.example": ["2002:a00:5::1"]}),
        ("https://teredo.example/", {"teredo.example": ["2001:0:4136:e378:8000:63bf:3fff:fdd2"]}),
        ("https://compat.example/", {"compat.example": ["::10.0.0.5"]}),
        ("https://siit.example/", {"siit.example": ["::ffff:0:a00:5"]}),
        ("https://sitelocal.example/", {"sitelocal.example": ["fec0::1"]}),
    ],
)
def test_private_destinations_are_refused_after_resolution(production, resolver, no_network, url, dns):
    resolver.update(dns)
    answer = outbound.post(url, b"{}", {"content-type": "application/json"})
    assert answer.status_code is None
    assert answer.error.startswith("Refused:")
    assert "private" in answer.error


def test_http_is_refused_in_production(production, resolver, no_network):
    resolver["hooks.example"] = ["93.184.215.14"]
    answer = outbound.post("http://hooks.example/in", b"{}", {})
    assert answer.error == "Refused: The URL must use https."


def test_a_public_destination_is_connected_by_the_address_checked(production, resolver):
    """The request goes to the address that passed the check (no second lookup to rebind),
    with the name kept for the Host header and for TLS."""
    resolver["hooks.example"] = ["93.184.215.14"]
    target, headers, extensions = outbound.destination("https://hooks.example:8443/in?x=1")
    assert target == "https://93.184.215.14:8443/in?x=1"
    assert headers == {"Host": "hooks.example:8443"}
    assert extensions == {"sni_hostname": "hooks.example"}


def test_an_unknown_host_is_refused(production, resolver, no_network):
    answer = outbound.post("https://nowhere.invalid/", b"{}", {})
    assert answer.error.startswith("Refused: The host could not be resolved")


@pytest.mark.django_db
def test_subscribing_a_private_or_plain_http_url_in_production_is_a_400(production, alice, salon):
    client = client_for(alice)
    url = f"/api/business/{salon.pk}/webhooks"
    response = client.post(
        url, {"url": "http://127.0.0.1:9000/hook", "events": ["appointment.created"]}, format="json"
    )
    assert response.status_code == 400
    assert error_code(response) == "validation_error"
    assert response.json()["error"]["fields"]["url"] == ["The URL must use https."]


def test_credentials_in_the_url_are_refused(settings):
    with pytest.raises(outbound.Refused, match="user name or password"):
        outbound.check_url("https://user:secret@hooks.example/in")


def test_the_pinned_request_reaches_the_checked_address_with_the_name_as_host(settings, resolver, monkeypatch):
    """Over loopback: the receiver is "public" for this test only; the request is sent to the
    address the resolver gave, naming the host the URL had."""
    from tests.integrations.receiver import start_receiver

    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    receiver, server = start_receiver()
    try:
        port = server.server_address[1]
        resolver["hooks.example"] = ["127.0.0.1"]
        monkeypatch.setattr(outbound, "is_public", lambda address: address == "127.0.0.1")
        answer = outbound.post(f"http://hooks.example:{port}/in", b'{"a":1}', {"content-type": "application/json"})
    finally:
        server.shutdown()
        server.server_close()
    assert answer.status_code == 200
    [request] = receiver.requests
    assert request.headers["Host"] == f"hooks.example:{port}"
    assert (request.path, request.body) == ("/in", b'{"a":1}')


def test_in_tests_a_made_up_destination_is_never_reached(settings):
    """With DEBUG's allowances (as in the schemathesis run), a URL off loopback still fails
    here as a network error: tests/conftest.py keeps every test's traffic on loopback."""
    answer = outbound.post("http://hooks.example/in", b"{}", {})
    assert answer.status_code is None
    assert "only to loopback" in answer.error


def test_a_public_ipv6_address_is_allowed(production, resolver):
    resolver["v6.example"] = ["2606:2800:220:1:248:1893:25c8:1946"]
    target, headers, _ = outbound.destination("https://v6.example/in")
    assert target == "https://[2606:2800:220:1:248:1893:25c8:1946]/in" and headers == {"Host": "v6.example"}


def test_an_international_name_is_sent_as_dns_knows_it(production, resolver):
    resolver["xn--caf-dma.example"] = ["93.184.215.14"]
    _, headers, extensions = outbound.destination("https://café.example/in")
    assert headers == {"Host": "xn--caf-dma.example"} and extensions == {"sni_hostname": "xn--caf-dma.example"}


def test_errors_are_kept_short_enough_to_record(production, resolver, no_network):
    long_host = ".".join(["a" * 60] * 4) + ".example"
    answer = outbound.post(f"https://{long_host}/", b"{}", {})
    assert answer.error.startswith("Refused:") and len(answer.error) <= 300
