"""WSGI entry point, used by gunicorn (see docker-compose.yml)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "survey_portal.settings")

application = get_wsgi_application()
