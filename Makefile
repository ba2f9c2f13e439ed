# The two commands: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export CRSV_ENV ?= development
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test stop bench install messages clean totp audit

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 'setuptools>=78.1.1'
	$(PY) -m pip install --quiet -e '.[dev,embedded]'
	touch $@

install: $(VENV)/.installed

## make run: set up and run web server, Celery worker and beat (Ctrl-C stops them).
run: install
	PORT=$(PORT) $(PY) -m crsv.devenv run

## make test: lint, type-check, Django checks, migrations check and the whole test suite.
test: install
	$(PY) -m crsv.devenv up > /dev/null
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports
	@echo "bandit: medium and high findings in crsv incidents survivors referrals reports manage.py"
	@log=$$(mktemp) && status=0 && \
	  $(VENV)/bin/bandit -c pyproject.toml -q --severity-level medium -r crsv incidents survivors referrals reports manage.py 2> $$log || status=$$?; \
	  grep -v "nosec encountered" $$log >&2; rm -f $$log; exit $$status
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

## make audit: pip-audit on the installed dependencies (not part of make test: a new advisory
## must not break every build). Says "NOT AUDITED" and exits 2 when no vulnerability service answers.
audit: install
	$(PY) -m crsv.dependency_audit

## make bench: the performance harness (not part of make test).
bench: install
	$(PY) -m crsv.devenv up > /dev/null
	$(PY) -m benchmarks

## make messages: extract and compile the French catalogue (needs GNU gettext).
messages: install
	$(PY) manage.py makemessages -l fr --ignore '.venv/*' --ignore '.devdata/*' --no-obsolete
	$(PY) manage.py compilemessages --ignore '.venv/*'

## make totp NAME=wpa: a demo user's current two-factor code (development only).
totp: install
	@$(PY) manage.py totp_code $(NAME)

## make stop: stop the embedded PostgreSQL and Redis.
stop:
	@if [ -x $(PY) ]; then $(PY) -m crsv.devenv stop; else echo "nothing to stop"; fi

clean: stop
	rm -rf $(VENV) .devdata staticfiles
