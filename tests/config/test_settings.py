"""Production mode refuses to start without its secrets, and passes `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
PROD = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "salon.example",
    "DATABASE_URL": "postgres://chairtime@db.example/chairtime",
    "CACHE_URL": "redis://cache.example:6379/1",
}


def manage(*args, **env_overrides):
    ignored = (
        "DATABASE_URL",
        "SECRET_KEY",
        "DEBUG",
        "CACHE_URL",
        "CELERY_BROKER_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    )  # the last: set by browser tests
    env = {k: v for k, v in os.environ.items() if k not in ignored}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_without_secret_key_refuses_to_start():
    result = manage("check", **PROD)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_with_a_short_secret_key_refuses_to_start():
    result = manage("check", **PROD, SECRET_KEY="short")
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_production_without_database_url_refuses_to_start():
    env = {k: v for k, v in PROD.items() if k != "DATABASE_URL"}
    result = manage("check", **env, SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr


def test_production_settings_pass_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PROD, SECRET_KEY=GOOD_KEY)
    assert result.returncode == 0, result.stderr


def test_production_without_a_shared_cache_refuses_to_start():
    env = {k: v for k, v in PROD.items() if k != "CACHE_URL"}
    result = manage("check", **env, SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "CACHE_URL is not set" in result.stderr


def test_production_refuses_a_per_process_cache():
    result = manage("check", **{**PROD, "CACHE_URL": "locmemcache://"}, SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "per-process cache" in result.stderr


def test_production_shares_the_brokers_redis_as_its_cache():
    env = {k: v for k, v in PROD.items() if k != "CACHE_URL"}
    code = "from django.conf import settings; print(settings.CACHES['default']['LOCATION'])"
    result = manage("shell", "-c", code, **env, SECRET_KEY=GOOD_KEY, CELERY_BROKER_URL="redis://broker.example:6379/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "redis://broker.example:6379/0"


def proxy_header(**env):
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)",
        **PROD,
        SECRET_KEY=GOOD_KEY,
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_https_header_is_trusted_only_behind_a_proxy():
    assert proxy_header() == "None"  # a client's X-Forwarded-Proto means nothing
    assert proxy_header(NUM_PROXIES="1") == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert proxy_header(NUM_PROXIES="1", SECURE_PROXY_SSL_HEADER="X-Scheme") == "('HTTP_X_SCHEME', 'https')"


def test_production_without_allowed_hosts_refuses_to_start():
    without = {k: v for k, v in PROD.items() if k != "ALLOWED_HOSTS"}
    result = manage("check", **without, SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr
