"""Outbound HTTP for webhooks: public addresses only (in production), no redirects, a short
timeout and a capped read.

The guard resolves the host itself and connects to the address it checked, keeping the
URL's host for the Host header and for TLS (SNI and the certificate check), so a DNS answer
that changes between the check and the connection (rebinding) cannot steer a request inside.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_RESPONSE_BYTES = 64 * 1024  # read at most this much of an answer, then hang up
LONGEST_ANSWER_SECONDS = 20  # reading it, however slowly it comes
EXCERPT_CHARS = 1000  # kept of it on the attempt, for the admin
ERROR_CHARS = 300


class Refused(Exception):
    """The destination is not allowed; nothing was sent."""


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    duration_ms: int
    excerpt: str = ""
    error: str = ""

    def __post_init__(self):
        object.__setattr__(self, "error", self.error[:ERROR_CHARS])  # as WebhookAttempt keeps it

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (the tests of the guard stub this)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


# IPv6 prefixes that carry an IPv4 address inside (a translator or tunnel takes the packet to
# it): NAT64 (well-known and local-use), 6to4, Teredo, IPv4-compatible, IPv4-translated (SIIT).
IPV4_CARRIERS = [
    ipaddress.ip_network(prefix)
    for prefix in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32", "::/96", "::ffff:0:0:0/96")
]
GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")


def is_public(address: str) -> bool:
    """Not loopback, link-local (169.254.169.254, the cloud metadata address, is one),
    private (RFC 1918, unique local), shared, reserved, multicast or unspecified; an IPv6
    address must be global unicast and not one of the forms that carry an IPv4 address."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip not in GLOBAL_UNICAST or any(ip in carrier for carrier in IPV4_CARRIERS):
            return False
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> None:
    """What an endpoint's URL must be, whatever it resolves to: http(s) with a host; https
    unless settings.WEBHOOKS_ALLOW_HTTP (DEBUG)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(_("The URL must start with https:// and name a host."))
    if parts.scheme == "http" and not settings.WEBHOOKS_ALLOW_HTTP:
        raise Refused(_("The URL must use https."))
    if parts.username or parts.password:
        raise Refused(_("The URL must not carry a user name or password."))


def destination(url: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """(the URL to connect to, extra headers, request extensions), or Refused."""
    check_url(url)
    if settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS:
        return url, {}, {}
    parts = urlsplit(url)
    try:  # the name as DNS and the Host header carry it (café.example: xn--caf-dma.example)
        host = (parts.hostname or "").encode("idna").decode("ascii")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = resolve(host, port)
    except (OSError, UnicodeError, ValueError) as error:
        raise Refused(_("The host could not be resolved (%(error)s).") % {"error": error}) from None
    blocked = [address for address in addresses if not is_public(address)]
    if blocked or not addresses:
        raise Refused(_("The host resolves to a private, loopback or link-local address; that is not allowed."))
    address = addresses[0]
    netloc = f"[{address}]" if ":" in address else address
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = host if not parts.port else f"{host}:{parts.port}"
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return pinned, {"Host": host_header}, extensions


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` once and say what happened; never raises for the network's reasons."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target, extra_headers, extensions = destination(url)
        # trust_env=False: no proxy from the environment (it would connect on our behalf,
        # past the address check).
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False) as client:
            request = client.build_request(
                "POST", target, content=body, headers={**headers, **extra_headers}, extensions=extensions
            )
            response = client.send(request, stream=True)
            try:
                read = bytearray()
                for chunk in response.iter_bytes():
                    read += chunk
                    if len(read) >= MAX_RESPONSE_BYTES:
                        break
                    if time.monotonic() - started > LONGEST_ANSWER_SECONDS:  # a receiver dripping bytes
                        raise httpx.ReadTimeout("the answer took too long", request=request)
            finally:
                response.close()
    except Refused as refused:
        return Answer(None, took(), error=f"Refused: {refused}")
    except httpx.TimeoutException:
        return Answer(None, took(), error=f"No answer within {TIMEOUT.read:.0f} s.")
    except httpx.HTTPError as error:
        return Answer(None, took(), error=f"Network error: {type(error).__name__}: {error}")
    excerpt = bytes(read[: EXCERPT_CHARS * 4]).decode("utf-8", errors="replace")[:EXCERPT_CHARS]
    return Answer(response.status_code, took(), excerpt=excerpt)
