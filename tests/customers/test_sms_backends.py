"""SMS backends: only the provider's HTTPS endpoint is mocked."""

import httpx
import pytest
from django.core.exceptions import ImproperlyConfigured

from customers.sms import ConsoleBackend, FileBackend, SmsNotSent, SmsUncertain, TwilioBackend, backend_from_url


def test_sms_url_chooses_the_backend(tmp_path):
    assert isinstance(backend_from_url("console://"), ConsoleBackend)
    assert backend_from_url(f"file:///{tmp_path}/out") == FileBackend(tmp_path / "out")
    assert backend_from_url(f"file://{tmp_path}/out") == FileBackend(tmp_path / "out")
    twilio = backend_from_url("twilio://AC123:secret@api.twilio.com?from=+15005550006")
    assert (twilio.account_sid, twilio.auth_token, twilio.sender) == ("AC123", "secret", "+15005550006")


@pytest.mark.parametrize("url", ["carrier-pigeon://", "twilio://api.twilio.com", "twilio://AC:tok@api.twilio.com"])
def test_a_bad_sms_url_is_refused_clearly(url):
    with pytest.raises(ImproperlyConfigured):
        backend_from_url(url)


def test_the_file_backend_writes_one_file_per_message(tmp_path):
    backend = FileBackend(tmp_path)
    backend.send("+447911123456", "one")
    backend.send("+447911123456", "two")
    texts = sorted(p.read_text() for p in tmp_path.glob("*.sms"))
    assert len(texts) == 2 and all("To: +447911123456" in t for t in texts)


def twilio(handler) -> TwilioBackend:
    return TwilioBackend("AC123", "secret", "+15005550006", transport=httpx.MockTransport(handler))


def test_twilio_request_shape():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["url"] = str(request.url)
        seen["auth"] = request.headers["authorization"]
        seen["form"] = dict(httpx.QueryParams(request.content.decode()))
        return httpx.Response(201, json={"sid": "SM1", "status": "queued"})

    twilio(handler).send("+447911123456", "Your code is 123456")
    assert seen["url"] == "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json"
    assert seen["auth"].startswith("Basic ")
    assert seen["form"] == {"From": "+15005550006", "To": "+447911123456", "Body": "Your code is 123456"}


@pytest.mark.parametrize(("status", "retryable"), [(400, False), (401, False), (429, True), (500, True), (503, True)])
def test_twilio_refusals_are_not_sent_and_say_whether_to_retry(status, retryable):
    backend = twilio(lambda request: httpx.Response(status, json={"message": "nope"}))
    with pytest.raises(SmsNotSent) as error:
        backend.send("+447911123456", "hi")
    assert error.value.retryable is retryable


def test_an_unreachable_provider_is_retryable():
    def handler(request):
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(SmsNotSent) as error:
        twilio(handler).send("+447911123456", "hi")
    assert error.value.retryable


def test_a_timeout_after_sending_is_uncertain():
    def handler(request):
        raise httpx.ReadTimeout("no answer", request=request)

    with pytest.raises(SmsUncertain):
        twilio(handler).send("+447911123456", "hi")
