# The README's commands. `make run` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Where `make run` serves: make run PORT=8080
PORT ?= 8000
# KiB of resident memory after which a worker process is replaced (after its task).
CELERY_MAX_MEMORY_PER_CHILD ?= 250000

.PHONY: run test install format messages worker beat

run: install ## Start the portal on http://127.0.0.1:$(PORT) with demo data (SQLite, tasks in-process)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Test processes (pytest-xdist); each has its own database, copied from one migrated template.
TEST_WORKERS ?= auto

test: install ## Lint, then the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest --numprocesses=$(TEST_WORKERS) --dist=worksteal --durations=20

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "NPO Portal needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 2>&1 | { grep -v "is ignored: it is neither" || true; }
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt 2>&1 | { grep -v "is ignored: it is neither" || true; }
	$(BIN)/python -c "import django, celery"
	@$(BIN)/python -c "import weasyprint" 2>/dev/null || { echo "WeasyPrint (the PDF reports) needs Pango from the system:"; \
	  echo "  Debian/Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"; \
	  echo "  macOS:         brew install pango   (Apple silicon: export DYLD_FALLBACK_LIBRARY_PATH=/opt/homebrew/lib)"; \
	  exit 1; }
	touch $@

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The Dutch catalogues: the project's (locale/), each app's, and locale_packages/ for texts of
# the packages we use that they do not translate (makemessages never writes there).
CATALOGUES = $(shell find . -path ./.venv -prune -o -path ./node_modules -prune -o -path '*/nl/LC_MESSAGES/django.po' -print)
COMPENDIUM := .messages-compendium.po

messages: install ## Refresh the Dutch catalogues after changing texts (needs GNU gettext)
	msgcat --use-first --output-file=$(COMPENDIUM) $(CATALOGUES)
	$(BIN)/python manage.py makemessages -l nl --no-location --no-obsolete --ignore=.venv --ignore='*/node_modules' --ignore=staticfiles --ignore=media --ignore=artifacts
	# A text that moved to another catalogue keeps its translation (the compendium); a "fuzzy"
	# guess from a similar text is never shown, so it is emptied and the text stays to translate.
	for po in $(CATALOGUES); do \
	  msgattrib --clear-fuzzy --empty --output-file=$$po $$po && \
	  msgmerge --quiet --no-fuzzy-matching --no-location --compendium=$(COMPENDIUM) --output-file=$$po $$po $$po; \
	done
	rm $(COMPENDIUM)
	$(BIN)/python manage.py compilemessages --ignore=.venv
	@if grep --files-with-matches --null-data --perl-regexp '\nmsgstr ""\n\n' $(CATALOGUES); then \
	  echo "These catalogues have texts to translate (msgstr \"\"); translate them and run make messages again."; exit 1; fi

worker: install ## A Celery worker; needs REDIS_URL (and DATABASE_URL for PostgreSQL)
	$(BIN)/celery -A npo_portal worker --loglevel=INFO --max-memory-per-child=$(CELERY_MAX_MEMORY_PER_CHILD) --queues=$${CELERY_QUEUE:-npo},$${CELERY_QUEUE:-npo}-reports,$${CELERY_QUEUE:-npo}-imports

beat: install
	$(BIN)/celery -A npo_portal beat --loglevel=INFO --schedule=$(VENV)/celerybeat-schedule
