import pytest

from config.middleware import BASE_POLICY


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/api/schema", "/api/docs"])
def test_pages_may_not_be_framed(client, path):
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"] == f"{BASE_POLICY}; frame-ancestors 'none'"
