"""Every error under /api leaves in one shape; routes answer with and without a slash."""

import pytest
from django.core.cache import cache
from knox.models import AuthToken

pytestmark = [pytest.mark.urls("tests.config.plumbing_urls"), pytest.mark.django_db]


def error_of(response):
    body = response.json()
    assert set(body) == {"error"}
    return body["error"]


@pytest.mark.parametrize("path", ["/api/test/echo/abc", "/api/test/echo/abc/"])
def test_routes_answer_with_and_without_trailing_slash(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 200
    assert response.json()["thing"] == "abc"


@pytest.mark.parametrize("path", ["/api/test/echo/abc", "/api/test/echo/abc/"])
def test_posts_are_never_redirected(api_client, path):
    response = api_client.post(path, {"name": "x", "count": 2}, format="json")
    assert response.status_code == 201
    assert response.json() == {"name": "x", "count": 2}


def test_validation_errors_name_the_fields(api_client):
    response = api_client.post("/api/test/echo/abc", {"name": "x", "count": 0}, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"count"}
    assert error["message"]


def test_malformed_json_is_a_validation_error(api_client):
    response = api_client.post("/api/test/echo/abc", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "validation_error"


def test_a_json_array_instead_of_an_object_is_a_validation_error(api_client):
    response = api_client.post("/api/test/echo/abc", [1, 2], format="json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "validation_error"


def test_a_body_that_is_not_json_is_unsupported(api_client):
    response = api_client.post("/api/test/echo/abc", "name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


def test_anonymous_calls_get_401_with_a_token_challenge(api_client):
    response = api_client.get("/api/test/whoami")
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_a_bad_token_gets_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token nope")
    response = api_client.get("/api/test/whoami")
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_a_knox_token_authenticates(api_client, dana):
    from tests.factories import UserFactory

    user = UserFactory(email="token-user@example.com")
    _, token = AuthToken.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api_client.get("/api/test/whoami/")
    assert response.status_code == 200
    assert response.json() == {"email": "token-user@example.com"}


def test_permission_denied_is_403(api_client):
    response = api_client.get("/api/test/fail/forbidden")
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"


@pytest.mark.parametrize("path", ["/api/test/echo/missing", "/api/no-such-endpoint", "/api/no-such-endpoint/"])
def test_unknown_things_are_404_in_the_error_shape(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_wrong_method_is_405(api_client):
    response = api_client.delete("/api/test/echo/abc")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_domain_errors_carry_their_code_and_status(api_client):
    response = api_client.get("/api/test/fail/domain")
    assert response.status_code == 409
    assert error_of(response) == {"code": "slot_unavailable", "message": "That time was just taken."}


def test_busy_is_503_with_retry_after(api_client):
    response = api_client.get("/api/test/fail/busy")
    assert response.status_code == 503
    assert error_of(response)["code"] == "busy"
    assert int(response["Retry-After"]) >= 1


def test_a_bug_is_a_500_in_the_error_shape(api_client, caplog):
    response = api_client.get("/api/test/fail/bug")
    assert response.status_code == 500
    assert error_of(response)["code"] == "server_error"
    assert "a bug" not in response.content.decode()  # no internals leak to the client
    assert "a bug" in caplog.text  # but the team sees it


def test_throttled_calls_get_429(api_client):
    cache.clear()
    assert api_client.get("/api/test/throttled").status_code == 200
    response = api_client.get("/api/test/throttled")
    assert response.status_code == 429
    assert error_of(response)["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html
