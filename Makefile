# The two set-up commands (see README): `make run` and `make test`.
# Neither needs PostgreSQL, Redis or Docker: SQLite, eager Celery and a local-memory cache.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format messages bench bench-certificates bench-coverage clean

install: $(VENV)/.installed node_modules/.installed .venv-badges/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

# The Open Badges validator for the certificate tests, in a venv of its own (old pins).
.venv-badges/.installed: tools/requirements-badges.txt
	test -x .venv-badges/bin/python || $(PYTHON) -m venv .venv-badges
	.venv-badges/bin/python -m pip install --quiet --no-deps -r tools/requirements-badges.txt
	touch $@

# h5p-standalone's install script demands yarn; we need none of the scripts.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	mkdir -p node_modules
	touch $@

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Mở http://hocvuso.localhost:$(PORT)/ — open http://hocvuso.localhost:$(PORT)/ (H5P: h5p.hocvuso.localhost)"
	SITE_URL=$${SITE_URL:-http://hocvuso.localhost:$(PORT)} \
	H5P_CONTENT_ORIGIN=$${H5P_CONTENT_ORIGIN:-http://h5p.hocvuso.localhost:$(PORT)} \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djhtml --check $$(git ls-files '*.html')
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djhtml $$(git ls-files '*.html')

# Refresh our catalogues after changing strings; the compiled .mo files are committed so
# that neither command above needs gettext installed.
messages: install
	$(PY) manage.py makemessages -l vi -l en --ignore=.venv --ignore=.venv-badges --ignore=node_modules --ignore=locale-thirdparty --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv --ignore=.venv-badges --ignore=node_modules

# Issue 9: the province under gunicorn, beside the floor and wagtail-lms (needs PostgreSQL,
# Redis and wrk; about 25 minutes, or 10 with --keep). RESULTS.md is written by --results.
bench: install
	$(PY) bench/province.py $(BENCH_ARGS)

bench-certificates: install
	$(PY) bench/certificates.py

bench-coverage: install
	$(PY) bench/coverage.py

clean:
	rm -rf $(VENV) .venv-badges .venv-wagtail-lms node_modules db.sqlite3 staticfiles
