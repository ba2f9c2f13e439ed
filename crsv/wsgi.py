"""WSGI entry point (gunicorn `crsv.wsgi:application`)."""

import os

import django
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crsv.settings")
django.setup(set_prefix=False)

# gunicorn runs no system check: production refuses to serve with the session timeouts or the
# second factor switched off (crsv/checks.py), and the worker fails to boot.
from crsv.checks import production_start_refuse  # noqa: E402  (needs the apps loaded above)

production_start_refuse()
application = get_wsgi_application()
