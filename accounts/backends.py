"""Authentication: Django's ModelBackend, with the user of each request read in plain SQL."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection

from survey_portal import rawsql

User = get_user_model()


class PortalBackend(ModelBackend):
    """Signs in exactly like ModelBackend. `get_user` runs on every request: through the ORM it cost
    more of a submission's processing than in plain SQL (survey_portal.rawsql; README has the measurements)."""

    def get_user(self, user_id):
        try:
            user_id = User._meta.pk.to_python(user_id)
        except Exception:  # noqa: BLE001 - a malformed id in a session is no user, as in ModelBackend
            return None
        if not rawsql.are_database_ids(user_id):
            return None
        with connection.cursor() as cursor:
            rawsql.execute(
                cursor, f"SELECT {rawsql.columns(User, 'u')} FROM {User._meta.db_table} u WHERE u.id = %s", [user_id]
            )
            row = cursor.fetchone()
        if row is None:
            return None
        (user,) = rawsql.instances(row, User)
        return user if self.user_can_authenticate(user) else None
