"""The SMS provider's inbound webhook (Twilio's "A message comes in"): replies to our texts
(booking/sms_replies.py), answered in TwiML. Only requests the provider signed are heard."""

from xml.sax.saxutils import escape

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from booking.sms_replies import sms_reply
from customers.sms import inbound_signature_valid


@csrf_exempt  # the provider signs the request instead
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    if not settings.SMS_REPLIES:
        raise Http404
    # Signed over the public URL the provider called (behind a proxy, not what Django sees).
    url = f"{settings.SITE_URL.rstrip('/')}{request.get_full_path()}"
    params = {name: request.POST.getlist(name) for name in request.POST}
    if not inbound_signature_valid(url, params, request.headers.get("X-Twilio-Signature", "")):
        return HttpResponse("The request is not signed by the SMS provider.", status=403, content_type="text/plain")
    reply = sms_reply(phone=request.POST.get("From", ""), body=request.POST.get("Body", ""))
    twiml = f'<?xml version="1.0" encoding="UTF-8"?><Response><Message>{escape(reply)}</Message></Response>'
    return HttpResponse(twiml, content_type="text/xml")
