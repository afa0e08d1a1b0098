"""Rate limits hold across worker processes and cannot be dodged with X-Forwarded-For
(issue 22, findings 6 and 7): two gunicorn workers sharing the database cache."""

import subprocess
import sys
import uuid

import httpx
import pytest
from django.test import RequestFactory

from config.client_ip import client_ip
from tests.multi_worker import ROOT, gunicorn, server_env

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT = 5


def test_the_anonymous_throttle_is_shared_by_workers_and_ignores_forged_addresses(salon):
    table = f"cache_{uuid.uuid4().hex[:8]}"
    cache_url = f"dbcache://{table}"
    subprocess.run(
        [sys.executable, "manage.py", "createcachetable"],
        cwd=ROOT,
        env=server_env(CACHE_URL=cache_url),
        check=True,
        capture_output=True,
    )
    with gunicorn(workers=2, CACHE_URL=cache_url, THROTTLE_ANON=f"{LIMIT}/min") as base:
        statuses = []
        with httpx.Client(base_url=base, timeout=10) as client:
            for n in range(4 * LIMIT):
                # A fresh connection each time, so both workers answer; a new forged address each time.
                response = client.get(
                    f"/api/business/{salon.pk}/services",
                    headers={"X-Forwarded-For": f"203.0.113.{n}", "Connection": "close"},
                )
                statuses.append(response.status_code)
    assert statuses.count(200) == LIMIT
    assert statuses.count(429) == 3 * LIMIT


def test_the_client_address_is_the_one_our_proxies_saw(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    settings.NUM_PROXIES = 0
    assert client_ip(request) == "10.0.0.2"
    settings.NUM_PROXIES = 1
    assert client_ip(request) == "198.51.100.7"
    settings.NUM_PROXIES = 5  # more proxies than hops: the outermost hop
    assert client_ip(request) == "6.6.6.6"
