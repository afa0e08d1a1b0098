"""The portal's signed-in customer, Dana."""

import pytest

from tests.factories import UserFactory


@pytest.fixture
def dana_user(db):
    return UserFactory(email="dana@example.com")


@pytest.fixture
def dana_client(client, dana_user):
    client.force_login(dana_user)
    return client
