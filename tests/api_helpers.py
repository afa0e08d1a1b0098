from knox.models import AuthToken
from rest_framework.test import APIClient

from customers.services import customer_for_user
from tests.factories import UserFactory


def client_for(user) -> APIClient:
    client = APIClient()
    _, token = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def customer_client(email: str) -> tuple[APIClient, object]:
    """A signed-in customer (user + account) and an API client with their token."""
    user = UserFactory(email=email)
    return client_for(user), customer_for_user(user)


def error_code(response) -> str:
    return response.json()["error"]["code"]
