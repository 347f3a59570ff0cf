# Kenes: two commands. `make demo` serves a demo site; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install install-dev serve lock messages clean backup restore

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Kenes needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: requirements/base.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements/base.txt
	@touch $@

$(VENV)/.installed-dev: requirements/dev.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	@touch $@ $(VENV)/.installed-base

install: $(VENV)/.installed-base
install-dev: $(VENV)/.installed-dev

demo: install
	@bash scripts/demo.sh

test: install-dev
	@bash scripts/test.sh

# Regenerate the locked requirements after changing pyproject.toml.
lock: install-dev
	$(VENV)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe -o requirements/base.txt pyproject.toml
	$(VENV)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --extra dev -o requirements/dev.txt pyproject.toml

# The whole database to var/backups/ (with a manifest of row counts), and back: make restore FILE=...
backup: install
	$(PY) manage.py backup

restore: install
	@test -n "$(FILE)" || { echo "Give the backup: make restore FILE=var/backups/kenes-....dump"; exit 2; }
	$(PY) manage.py restore "$(FILE)" $(if $(YES),--yes,)

# Refresh the kk/ru/en catalogues from the code and compile them (needs GNU gettext).
messages: install-dev
	$(PY) scripts/i18n.py update
	$(PY) scripts/i18n.py compile

clean:
	rm -rf $(VENV) var/static
