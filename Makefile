# Chairtime: `make run` serves the app with demo data, `make test` runs every test.
# Neither needs a PostgreSQL or Redis server: without DATABASE_URL an embedded
# PostgreSQL runs from .data/postgres/, and without CELERY_BROKER_URL tasks run in-process.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEV := DEBUG=1
PYTEST_ARGS ?=
# Type checks load the settings; a DATABASE_URL (never connected to) keeps the embedded server asleep.
MYPY := DEBUG=1 DATABASE_URL=postgres://mypy@localhost/mypy $(BIN)/mypy

.PHONY: install run test test-browser-stress prod-smoke worker beat widget-demo backup restore lint format clean messages

$(BIN)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Chairtime needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $@

install: $(BIN)/.installed

run: install
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py seed_demo
	$(DEV) $(BIN)/python manage.py ensure_dev_superuser
	@echo "Widget on another origin: run 'make widget-demo' in a second terminal, open http://localhost:8001"
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(DEV) $(BIN)/python -m pytest $(PYTEST_ARGS)

# After marking or changing strings: every catalogue under locale/ takes them in (translate what
# comes out empty or fuzzy; English, the language the code is written in, translates itself),
# then the .mo files are compiled; both are committed (docs/languages.md). Needs GNU gettext.
LOCALES := en de fr es nl pt pl
MESSAGES_FLAGS := --no-obsolete --add-location=file --ignore 'tests/*' --ignore 'bench/*' --ignore 'deploy/*' \
	--ignore 'examples/*' --ignore 'staticfiles/*' --ignore 'media/*' --ignore 'test-artifacts/*'
messages: install
	$(DEV) $(BIN)/python manage.py makemessages $(addprefix -l ,$(LOCALES)) -d django $(MESSAGES_FLAGS)
	$(DEV) $(BIN)/python manage.py makemessages $(addprefix -l ,$(LOCALES)) -d djangojs $(MESSAGES_FLAGS)
	$(if $(filter en,$(LOCALES)),for po in locale/en/LC_MESSAGES/django.po locale/en/LC_MESSAGES/djangojs.po; do \
	  msgfilter --keep-header -i $$po -o $$po.new sed d && msgen -o $$po.new $$po.new \
	  && msgattrib --clear-fuzzy -o $$po $$po.new && rm $$po.new || exit 1; done)
	$(DEV) $(BIN)/python manage.py compilemessages $(addprefix -l ,$(LOCALES)) --ignore '.venv' --ignore 'staticfiles'

# The browser tests five times in a row beside two CPU-bound processes (flakiness check).
test-browser-stress: install
	$(DEV) $(BIN)/python tests/stress/browser_under_load.py --rounds 5 --burners 2

# Chairtime as deployed (DEBUG off, two gunicorn nodes, two workers, beat) on the machine's
# PostgreSQL and Redis (SMOKE_POSTGRES, SMOKE_REDIS): see deploy/smoke.py.
prod-smoke: install
	$(BIN)/python deploy/smoke.py

worker: install
	$(DEV) $(BIN)/celery -A config worker --loglevel=INFO

beat: install
	$(DEV) $(BIN)/celery -A config beat --loglevel=INFO

# A stand-in for a salon's own website on http://localhost:8001, embedding the demo salon's widget.
widget-demo: install
	mkdir -p .data/widget-demo
	business=$$($(DEV) $(BIN)/python manage.py seed_demo --json 2>/dev/null | $(BIN)/python -c 'import json,sys; print(json.load(sys.stdin)["business_id"])'); \
	sed -e "s|SITE_URL|http://127.0.0.1:8000|" -e "s|BUSINESS_ID|$$business|" examples/widget-host.html > .data/widget-demo/index.html
	$(BIN)/python -m http.server 8001 --bind 127.0.0.1 --directory .data/widget-demo

# The configured database (DATABASE_URL, else the embedded one) to backups/<name>-<UTC time>.dump;
# `make restore FILE=backups/....dump` puts one back into an empty database (FORCE=1 replaces).
backup: install
	$(DEV) $(BIN)/python manage.py backup_database

restore: install
	@test -n "$(FILE)" || (echo "usage: make restore FILE=backups/<file>.dump [FORCE=1]"; exit 2)
	$(DEV) $(BIN)/python manage.py restore_database "$(FILE)" $(if $(FORCE),--force,)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MYPY)

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .data .pytest_cache .ruff_cache staticfiles
