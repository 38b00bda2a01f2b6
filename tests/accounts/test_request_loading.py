"""What every request reads in plain SQL (the session, the user, their roles) equals what Django's
ORM would have read: the same people, the same flags, the same types, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.db import DataError, connection, transaction
from django.utils import timezone

from accounts.backends import PortalBackend
from accounts.sessions import SessionStore
from departments.models import HR_PERMISSION, Department, Employee
from departments.roles import Roles
from survey_portal import rawsql
from surveys.models import Cycle, Invitation
from tests.factories import EmployeeFactory, UserFactory, make_cycle

User = get_user_model()


def test_the_user_of_a_request_is_the_one_django_would_load(org):
    expected = ModelBackend().get_user(org.head.user.pk)

    user = PortalBackend().get_user(str(org.head.user.pk))  # the session holds the id as text

    assert user == expected
    assert {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in User._meta.concrete_fields
    }
    assert timezone.is_aware(user.date_joined) and isinstance(user.is_active, bool)
    assert user.get_session_auth_hash() == expected.get_session_auth_hash()


@pytest.mark.parametrize("user_id", ["999999", "not-a-number", "99999999999999999999"])
def test_no_user_for_an_unknown_or_malformed_id(db, user_id):
    assert PortalBackend().get_user(user_id) is None


def test_an_inactive_user_is_nobody(org):
    User.objects.filter(pk=org.head.user.pk).update(is_active=False)

    assert PortalBackend().get_user(org.head.user.pk) is None


def test_a_session_is_read_while_it_lasts(db):
    store = SessionStore()
    store["answer"] = 42
    store.save()

    assert SessionStore(store.session_key).load() == {"answer": 42}
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert expired.load() == {} and expired.session_key is None


def roles_of(user) -> tuple:
    roles = Roles(User.objects.get(pk=user.pk))
    employee = roles.employee
    return (employee and employee.department.code, roles.is_hr, roles.is_head)


def test_roles_come_from_the_employee_record_the_hr_permission_and_headed_departments(org):
    assert roles_of(org.colleague.user) == ("it", False, False)
    assert roles_of(org.head.user) == ("it", False, True)
    assert roles_of(org.hr.user) == ("hr", True, False)  # through the HR admins group
    direct = EmployeeFactory(department=org.sales)
    app_label, codename = HR_PERMISSION.split(".")
    direct.user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    assert roles_of(direct.user) == ("sales", True, False)
    assert roles_of(UserFactory(is_superuser=True)) == (None, True, False)
    assert roles_of(UserFactory()) == (None, False, False)


def test_an_inactive_employee_or_department_takes_its_roles_away(org):
    Employee.objects.filter(pk=org.head.pk).update(active=False)
    assert roles_of(org.head.user) == (None, False, False)
    Employee.objects.filter(pk=org.head.pk).update(active=True)
    Department.objects.filter(pk=org.it.pk).update(active=False)
    assert roles_of(org.head.user) == ("it", False, False)  # still employed, no longer heading


def test_roles_are_read_in_one_query(org, django_assert_num_queries):
    roles = Roles(User.objects.get(pk=org.head.user.pk))
    with django_assert_num_queries(1):
        assert (roles.is_employee, roles.is_head, roles.is_hr, roles.has_any) == (True, True, False, True)


def test_whether_someone_heads_a_department_agrees_with_the_headed_by_query(org, django_assert_num_queries):
    def heads_each(user) -> list[bool]:
        roles = Roles(User.objects.get(pk=user.pk))
        roles.employee  # noqa: B018 - the one query every page makes anyway
        departments = list(Department.objects.order_by("code"))
        with django_assert_num_queries(0):
            return [roles.heads(d) for d in departments]

    def headed_by(user) -> list[bool]:
        headed = set(Department.objects.headed_by(user))
        return [d in headed for d in Department.objects.order_by("code")]

    assert heads_each(org.head.user) == headed_by(org.head.user) == [False, True, False]  # hr, it, sales
    assert heads_each(org.colleague.user) == headed_by(org.colleague.user) == [False, False, False]
    Department.objects.filter(pk=org.it.pk).update(active=False)
    assert heads_each(org.head.user) == headed_by(org.head.user) == [False, False, False]
    Department.objects.filter(pk=org.it.pk).update(active=True)
    Employee.objects.filter(pk=org.head.pk).update(active=False)
    assert heads_each(org.head.user) == headed_by(org.head.user) == [False, False, False]


def test_rows_become_instances_converted_as_the_orm_converts_them(org):
    make_cycle(org, status="open")
    sql = (
        f"SELECT {rawsql.columns(Invitation, 'i')}, {rawsql.columns(Cycle, 'c')} FROM {Invitation._meta.db_table} i"
        f" JOIN {Cycle._meta.db_table} c ON c.id = i.cycle_id WHERE i.employee_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [org.outsider.pk])
        invitation, found_cycle = rawsql.instances(cursor.fetchone(), Invitation, Cycle)
        cursor.execute(f"SELECT {rawsql.columns(Employee, 'e')} FROM (SELECT 1) one LEFT JOIN "
                       f"{Employee._meta.db_table} e ON e.id = -1")  # fmt: skip
        (nobody,) = rawsql.instances(cursor.fetchone(), Employee)

    expected = Invitation.objects.select_related("cycle").get(pk=invitation.pk)
    assert found_cycle.opens_at == expected.cycle.opens_at and timezone.is_aware(found_cycle.opens_at)
    assert (found_cycle.imported, invitation.draft_sealed) == (False, None)
    assert isinstance(found_cycle.imported, bool)
    assert not invitation._state.adding and invitation._state.db == "default"
    assert nobody is None  # the missing side of a LEFT JOIN


def test_a_session_that_cannot_be_written_because_the_database_is_gone_says_so(db, monkeypatch):
    from django.db import OperationalError
    from django.db.models import Model

    store = SessionStore()
    store["answer"] = 42
    store.save()
    store["answer"] = 43

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(Model, "save", lost)
    with pytest.raises(OperationalError):  # a 503 "nothing was saved", not a 400 "session deleted"
        store.save()


def prepared_statements() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_prepared_statements")
        return cursor.fetchone()[0]


def test_a_hot_statement_is_prepared_once_per_connection_and_answers_like_a_plain_one(db):
    sql = "SELECT CAST(%(a)s AS integer) + CAST(%(b)s AS integer), CAST(%(a)s AS integer)"
    with connection.cursor() as cursor:
        before = prepared_statements() if connection.vendor == "postgresql" else 0
        answers = []
        for a, b in [(1, 2), (10, 20)]:
            rawsql.execute(cursor, sql, {"a": a, "b": b})
            answers.append(cursor.fetchone())
        rawsql.execute(cursor, "SELECT CAST(%s AS integer) * CAST(%s AS integer)", [6, 7])
        answers.append(cursor.fetchone())

    assert answers == [(3, 1), (30, 10), (42,)]
    if connection.vendor == "postgresql":
        assert prepared_statements() == before + 2  # one per statement, not one per run


def test_a_statement_whose_first_run_failed_still_runs_afterwards(db):
    # PREPARE outlives the rollback of a failed first run: the retry must not collide with it.
    if connection.vendor != "postgresql":
        pytest.skip("statements are prepared on PostgreSQL only (set DATABASE_URL)")
    sql = "SELECT 10 / %s::integer"

    with pytest.raises(DataError), transaction.atomic(), connection.cursor() as cursor:
        rawsql.execute(cursor, sql, [0])
    with connection.cursor() as cursor:
        rawsql.execute(cursor, sql, [5])
        assert cursor.fetchone() == (2,)


def test_the_access_rules_answer_for_each_role(org):
    """departments.roles.Roles holds every rule; the permission matrix proves the pages follow them."""
    rules = {}
    people = [("head", org.head), ("colleague", org.colleague), ("outsider", org.outsider), ("hr", org.hr)]
    for name, person in [*people, ("sales head", org.outsider_head)]:
        roles = Roles(User.objects.get(pk=person.user.pk))
        rules[name] = (
            roles.can_read_scorecard(org.it),
            roles.can_edit_charter(org.it),
            roles.can_read_unpublished_results,
            roles.can_export_results,
            roles.can_see_inactive_departments,
            sorted(d.code for d in Department.objects.scorecards_visible_to(roles)),
        )
    assert rules == {
        "head": (True, True, True, True, False, ["it"]),
        "colleague": (False, False, False, False, False, []),
        "outsider": (False, False, False, False, False, []),
        "sales head": (False, False, True, True, False, ["sales"]),  # another department's head
        "hr": (True, True, True, True, True, ["hr", "it", "sales"]),
    }
