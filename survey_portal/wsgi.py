"""WSGI entry point, used by gunicorn (see docker-compose.yml)."""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "survey_portal.settings")

application = get_wsgi_application()

# Serving without a secret key would sign sessions and password links with nothing: refuse to start.
if not os.environ.get("DJANGO_SECRET_KEY") and not settings.DEBUG:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. "
        "For local development set DJANGO_DEBUG=true (the Makefile does)."
    )
# Without it no draft could be saved and no answer submitted: say so now, not at the first answer.
if not settings.SURVEY_ENCRYPTION_KEYS and not settings.DEBUG:
    raise ImproperlyConfigured(
        "SURVEY_ENCRYPTION_KEYS must be set when DJANGO_DEBUG is off (it seals drafts and waiting answers); "
        "see README, Anonymity."
    )
