"""SMS backends chosen by SMS_URL: console://, file:////abs/dir, twilio://SID:TOKEN@api.twilio.com?from=+1...

`send_sms(to, body)` raises `SmsNotSent` when the provider did not take the message (safe
to retry when `retryable`), and `SmsUncertain` when we cannot tell (a timeout after the
request went out): retrying could send it twice, so a person decides.
"""

import base64
import hashlib
import hmac
import logging
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

logger = logging.getLogger(__name__)
TWILIO_TIMEOUT_SECONDS = 10


class SmsNotSent(Exception):
    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


class SmsUncertain(Exception):
    """The request may have reached the provider: do not retry automatically."""


@dataclass(frozen=True)
class ConsoleBackend:
    def send(self, to: str, body: str) -> None:
        sys.stdout.write(f"SMS to {to}:\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()


@dataclass(frozen=True)
class FileBackend:
    """One file per message, for tests and demos."""

    directory: Path

    def send(self, to: str, body: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}.sms"
        (self.directory / name).write_text(f"To: {to}\n\n{body}\n", encoding="utf-8")


@dataclass(frozen=True)
class TwilioBackend:
    account_sid: str
    auth_token: str
    sender: str
    host: str = "api.twilio.com"
    transport: httpx.BaseTransport | None = None  # tests swap the network for a mock

    def send(self, to: str, body: str) -> None:
        url = f"https://{self.host}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        try:
            with httpx.Client(timeout=TWILIO_TIMEOUT_SECONDS, transport=self.transport) as client:
                response = client.post(
                    url,
                    auth=(self.account_sid, self.auth_token),
                    data={
                        "From": self.sender,
                        "To": to,
                        "Body": body,
                    },
                )
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise SmsNotSent(f"could not reach the SMS provider: {error}", retryable=True) from error
        except httpx.TimeoutException as error:
            raise SmsUncertain(f"the SMS provider did not answer in time: {error}") from error
        except httpx.HTTPError as error:
            raise SmsUncertain(f"the SMS request failed midway: {error}") from error
        if response.status_code in (200, 201):
            return
        retryable = response.status_code == 429 or response.status_code >= 500
        detail = response.text[:200]
        raise SmsNotSent(f"SMS provider answered {response.status_code}: {detail}", retryable=retryable)


def backend_from_url(url: str):
    parts = urlsplit(url)
    if parts.scheme == "console":
        return ConsoleBackend()
    if parts.scheme == "file":
        if not parts.path.startswith("/"):
            raise ImproperlyConfigured("SMS_URL file:// needs an absolute folder, e.g. file:////var/chairtime/sms")
        # file:////abs/dir (as EMAIL_URL's filemail) and file:///abs/dir both mean /abs/dir.
        return FileBackend(Path("/" + unquote(parts.path).lstrip("/")))
    if parts.scheme == "twilio":
        # Read "from" by hand: parse_qs would turn the "+" of an E.164 number into a space.
        query = dict(pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair)
        sender = unquote(query.get("from", ""))
        if not (parts.username and parts.password and sender):
            raise ImproperlyConfigured("SMS_URL twilio:// needs SID:TOKEN@api.twilio.com?from=+1...")
        return TwilioBackend(
            unquote(parts.username), unquote(parts.password), sender, parts.hostname or "api.twilio.com"
        )
    raise ImproperlyConfigured(f"Unknown SMS_URL scheme {parts.scheme!r}: use console://, file:// or twilio://")


def sms_backend():
    return backend_from_url(settings.SMS_URL)


def send_sms(to: str, body: str) -> None:
    sms_backend().send(to, body)


def twilio_signature(auth_token: str, url: str, params: Mapping[str, Sequence[str]]) -> str:
    """Twilio's X-Twilio-Signature of a webhook request (HMAC-SHA1 with the auth token, in
    base64) over the URL it called and then each POST parameter's name followed by its
    values, names and values sorted: as Twilio's own RequestValidator computes it."""
    signed = url + "".join(name + value for name in sorted(params) for value in sorted(set(params[name])))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def inbound_signature_valid(url: str, params: Mapping[str, Sequence[str]], signature: str) -> bool:
    """Did the SMS provider sign this inbound request? Only Twilio (SMS_URL twilio://) can."""
    backend = sms_backend()
    if not isinstance(backend, TwilioBackend) or not signature:
        return False
    return hmac.compare_digest(twilio_signature(backend.auth_token, url, params), signature)


def masked(phone: str) -> str:
    """A number as logs may show it: its last two digits."""
    return f"…{phone[-2:]}" if len(phone) > 2 else "…"
