"""WSGI entry point (gunicorn `crsv.wsgi:application`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crsv.settings")
application = get_wsgi_application()
