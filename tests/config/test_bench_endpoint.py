"""The benchmarks' trivial endpoint: off unless BENCH_ENDPOINTS=1, and free of database work."""

import pytest


@pytest.mark.django_db
def test_off_by_default(client, settings):
    assert settings.BENCH_ENDPOINTS is False
    assert client.get("/bench/ping").status_code == 404


@pytest.mark.urls("tests.config.bench_urls")
@pytest.mark.django_db
def test_it_answers_without_a_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/bench/ping")
    assert response.status_code == 200 and response.json() == {"ok": True, "service": "chairtime"}
