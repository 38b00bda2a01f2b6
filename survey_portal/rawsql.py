"""The few queries every request or submission runs, in plain SQL, prepared once per connection.

On a deadline afternoon a handful of lookups run for every answer sent, and building them with the
ORM cost more than running them (README, "The last hour before a deadline", has the measurements),
so those few are written in SQL; `instances` turns their rows into ordinary model instances, converted
exactly as the ORM would (SQLite, for one, returns naive datetimes and integers for booleans).
And PostgreSQL spent as long planning these small statements as running them: `execute` prepares
each once per connection, so it is planned once.
"""

from __future__ import annotations

import itertools
import re
import weakref
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Model

# psycopg2 connection -> {sql: name of the statement prepared on it}; forgotten with the connection.
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_names = itertools.count(1)
_PARAMETER = re.compile(r"%\((\w+)\)s|%s")


def execute(cursor, sql: str, params: list | dict | tuple = ()) -> None:
    """cursor.execute(sql, params); on PostgreSQL, as a statement prepared on this connection (the
    first call prepares and runs it in one round trip). Parameters are positional (%s) or named
    (%(name)s); give a parameter whose type its place does not tell a cast (CAST(%(user)s AS integer)).

    A pooler that hands one server connection to several clients (PgBouncer in transaction mode)
    would not know these statements: connect to PostgreSQL directly, or through session pooling.
    """
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    statements = _prepared.setdefault(connection.connection, {})
    name = statements.get(sql)
    body, run = _prepared_form(sql)
    if name is None:
        # A fresh name each time: PREPARE outlives a rollback, so a first run that failed may
        # have left its statement behind.
        name = f"portal_{next(_names)}"
        cursor.execute(f"PREPARE {name} AS {body}; {run.format(name=name)}", params or None)
        statements[sql] = name
    else:
        cursor.execute(run.format(name=name), params or None)


@cache
def _prepared_form(sql: str) -> tuple[str, str]:
    """(the statement with $1, $2… for PREPARE, "EXECUTE {name}(…)" passing the same parameters)."""
    order: list = []

    def number(match: re.Match) -> str:
        key = match.group(1) if match.group(1) is not None else len(order)
        if key not in order:
            order.append(key)
        return f"${order.index(key) + 1}"

    body = _PARAMETER.sub(number, sql)
    arguments = ", ".join("%s" if isinstance(key, int) else f"%({key})s" for key in order)
    return body, (f"EXECUTE {{name}}({arguments})" if order else "EXECUTE {name}")


BIGINT = range(-(2**63), 2**63)


def are_database_ids(*ids: int) -> bool:
    """Whether ids from a URL fit a database id: SQLite raises, not "no such row", on larger ones."""
    return all(i in BIGINT for i in ids)


def _fields(model: type[Model]) -> list:
    """The concrete fields read: all but those the model lists in `rawsql_deferred` (large values no
    page needs), which are left deferred on the instances."""
    skipped = getattr(model, "rawsql_deferred", ())
    return [field for field in model._meta.concrete_fields if field.name not in skipped]


@cache
def columns(model: type[Model], alias: str) -> str:
    """`alias.column, …` for every field of `model` read (see _fields), in field order."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in _fields(model))


@cache
def _loaders(model: type[Model], vendor: str) -> tuple[list[str], list[tuple]]:
    # Kept per process: the converters are the database backend's and the fields', bound to the
    # first connection that asked, and read only settings (the time zone) from it.
    names, converters = [], []
    for field in _fields(model):
        column = field.get_col(model._meta.db_table)
        names.append(field.attname)
        # As the ORM's compiler does: the backend's converters, then the field's.
        converters.append((column, connection.ops.get_db_converters(column) + column.get_db_converters(connection)))
    return names, converters


def instances(row, *models: type[Model]) -> list[Any]:
    """Split `row` (each model's columns in turn, as `columns()` lists them) into one instance each;
    None for a model whose primary key is NULL (the missing side of a LEFT JOIN)."""
    built: list[Any] = []
    start = 0
    for model in models:
        names, converters = _loaders(model, connection.vendor)
        if row[start + names.index(model._meta.pk.attname)] is None:
            built.append(None)
            start += len(names)
            continue
        values = []
        for value, (column, functions) in zip(row[start : start + len(names)], converters, strict=True):
            for function in functions:
                value = function(value, column, connection)
            values.append(value)
        built.append(model.from_db(connection.alias, names, values))
        start += len(names)
    return built
