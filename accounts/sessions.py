"""Django's database sessions, read with one plain SELECT."""

from __future__ import annotations

from django.contrib.sessions import middleware as session_middleware
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

from survey_portal import rawsql


class SessionStore(db.SessionStore):
    """Every request reads its session: the ORM spent longer building that query than
    the database spent answering it. Writes, expiry and everything else are Django's own."""

    def _get_session_from_db(self):
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            rawsql.execute(
                cursor,
                f"SELECT session_data FROM {self.model._meta.db_table} WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0])

    def save(self, must_create=False):
        """As Django's, but a lost database stays a lost database: Django reports any error while
        updating a session as "the session was deleted meanwhile" (a 400), and the page would then
        not say that nothing was saved and to try again (survey_portal.views.server_error)."""
        try:
            super().save(must_create)
        except UpdateError as error:
            if isinstance(error.__context__, (OperationalError, InterfaceError)):
                raise error.__context__ from None
            raise


class SessionMiddleware(session_middleware.SessionMiddleware):
    """Django's, except that a request marked `leaves_no_trace` (an anonymous raiser's, see
    concerns.views) never saves its session: not the activity stamp, not an overflowing message,
    not after an error. Its session stays as the previous request left it."""

    def process_response(self, request, response):
        if getattr(request, "leaves_no_trace", False):
            return response
        return super().process_response(request, response)
