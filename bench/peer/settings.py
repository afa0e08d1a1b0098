"""Django settings for the peer, django-appointment, in its own bench virtualenv only.

Never imported by Chairtime. `bench/compare.py` runs it with DATABASE_URL set to a database of
its own and MIGRATION_DIR pointing at migrations generated there (the wheel has none).
"""

import os
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, os.environ["PEER_MIGRATION_ROOT"])

SECRET_KEY = "peer-bench-only-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
TIME_ZONE = "Europe/London"
LANGUAGE_CODE = "en"
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "phonenumber_field",
    "appointment",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "bench.peer.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
MIGRATION_MODULES = {"appointment": "peer_migrations.appointment"}
AUTH_USER_MODEL = "auth.User"
APPOINTMENT_WEBSITE_NAME = "Peer bench"

url = urlsplit(os.environ["DATABASE_URL"])
query = dict(pair.split("=", 1) for pair in url.query.split("&") if "=" in pair)
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": url.path.lstrip("/"),
        "USER": url.username or "postgres",
        "PASSWORD": unquote(url.password or ""),
        "HOST": unquote(query.get("host", "")) or url.hostname or "",
        "PORT": url.port or "",
        "CONN_MAX_AGE": 60,
    }
}
BASE_DIR = Path(__file__).resolve().parent
