"""Site-wide error page: a lost database connection is a 503 with "try again", not a 500."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader


def server_error(request):
    """handler500. Renders without context processors or the database, which may be what failed.

    Every write is one transaction, so whatever the person sent was either saved whole or not at
    all; when the database was unreachable the page says so, with a Retry-After.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)
