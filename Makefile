# Two commands on a fresh machine: `make run` serves Lift on SQLite, `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HTMX := frontend/static/vendor/htmx.min.js
export PYTHONPATH := backend

.PHONY: run test install chromium migrate lock clean bench-http bench-cpu bench-ladder bench-trends bench-push bench-export bench-export-latency docker-smoke

run: install
	LIFT_COOKIE_SECURE=$${LIFT_COOKIE_SECURE:-false} $(PY) -m lift run

migrate: install
	$(PY) -m lift migrate

install: $(VENV)/.installed $(HTMX)

$(VENV)/.installed: requirements.lock requirements-dev.lock
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $@

$(HTMX): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(dir $(HTMX))
	cp frontend/node_modules/htmx.org/dist/htmx.min.js $(HTMX)

# Browser tests drive Debian's Chromium, and docker-compose validates the compose file;
# install whichever is missing.
SYSTEM_TOOLS := chromium docker-compose
chromium:
	@missing=$$(for t in $(SYSTEM_TOOLS); do command -v $$t >/dev/null || echo $$t; done); \
	if [ -n "$$missing" ]; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

test: install chromium
	$(PY) -m pytest -q -p no:cacheprovider -n 2 --dist load

# Runtime pins come from a clean venv with only the runtime dependencies of pyproject.toml.
# Benchmarks print ratios against a baseline measured in the same run; not part of `make test`.
bench-http: install
	@command -v wrk >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q wrk; }
	$(PY) bench/bench_http.py

bench-cpu: install
	@command -v wrk >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q wrk; }
	@case "$(ARGS)" in *--instructions*) command -v valgrind >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q valgrind; };; esac
	$(PY) bench/bench_cpu.py $(ARGS)

bench-ladder: install
	@command -v wrk >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q wrk; }
	$(PY) bench/bench_ladder.py

bench-export-latency: install
	@command -v wrk >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q wrk; }
	$(PY) bench/bench_export_latency.py

bench-trends: install
	$(PY) bench/bench_trends.py

bench-push: install
	$(PY) bench/bench_push_fanout.py

bench-export: install
	$(PY) bench/bench_export_memory.py

# Deploys with docker-compose as docs/operations.md says and checks it end to end; needs a
# running Docker engine and the base images. Not part of `make test`.
# SMOKE_ARGS="--upgrade-from <git revision>" first deploys that release and upgrades from it.
docker-smoke: install
	$(PY) ops/docker_smoke.py $(SMOKE_ARGS)

lock:
	rm -rf .lock-venv && python3 -m venv .lock-venv
	.lock-venv/bin/pip install --quiet .
	{ echo "# Runtime dependencies, pinned. The Docker image installs only these. Regenerate with \`make lock\`."; \
	  .lock-venv/bin/pip freeze --exclude-editable | grep -v '^lift' | sort; } > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) frontend/node_modules frontend/static/vendor
