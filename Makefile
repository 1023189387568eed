# Two commands on a fresh machine: `make run` serves Lift on SQLite, `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HTMX := frontend/static/vendor/htmx.min.js
export PYTHONPATH := backend

.PHONY: run test install chromium migrate lock clean

run: install
	LIFT_COOKIE_SECURE=$${LIFT_COOKIE_SECURE:-false} $(PY) -m lift run

migrate: install
	$(PY) -m lift migrate

install: $(VENV)/.installed $(HTMX)

$(VENV)/.installed: requirements.lock
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

$(HTMX): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(dir $(HTMX))
	cp frontend/node_modules/htmx.org/dist/htmx.min.js $(HTMX)

# Browser tests drive Debian's Chromium; install it when it is missing.
chromium:
	@command -v chromium >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium docker-compose; }
	@command -v docker-compose >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q docker-compose; }

test: install chromium
	$(PY) -m pytest -q -p no:cacheprovider

lock:
	$(VENV)/bin/pip freeze --exclude-editable | sort > requirements.lock

clean:
	rm -rf $(VENV) frontend/node_modules frontend/static/vendor
