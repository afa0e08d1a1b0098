"""Token authentication (knox) that treats an undecodable token as a bad token, not a bug."""

from django.utils.translation import gettext as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        return super().authenticate_credentials(token)


class TokenScheme(KnoxTokenScheme):
    """The schema names our subclass as knox's token scheme (drf-spectacular matches exact classes)."""

    target_class = "config.authentication.TokenAuthentication"
