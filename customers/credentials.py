"""Credentials opened by a customer's one-time code stay customer-only.

Code sign-in refuses accounts with staff access. These marks keep what it issued (a page
session, an API token for the widget or an app) from gaining staff powers if its user is
given staff access later: the admin refuses such a session, and the API treats such a
session or token as the customer.
"""

from django.http import HttpRequest
from knox.models import AuthToken

from customers.models import CustomerAccount

CUSTOMER_ONLY_SESSION = "chairtime_customer_only"
CUSTOMER_TOKEN_PREFIX = "cust_"  # knox keeps a token's first 15 characters as its key


def issue_customer_token(customer: CustomerAccount) -> str:
    """A customer-only API token for a customer who just proved their e-mail or phone."""
    if customer.user is None:
        raise ValueError("Only a signed-in customer (an account with a user) gets a token.")
    _, token = AuthToken.objects.create(user=customer.user, prefix=CUSTOMER_TOKEN_PREFIX)
    return token


def is_customer_only(request: HttpRequest) -> bool:
    """Was this request's credential issued by the customer code sign-in?"""
    auth = getattr(request, "auth", None)
    if isinstance(auth, AuthToken):
        return auth.token_key.startswith(CUSTOMER_TOKEN_PREFIX)
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(CUSTOMER_ONLY_SESSION))
