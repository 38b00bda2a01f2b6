"""Model instances from one raw SQL row: for the few queries every submission runs.

On a deadline afternoon a handful of lookups run for every answer sent. Building them with the
ORM cost about eight times what running them did (the query compiler, not the database), so those
few are written in SQL. The rows still become ordinary model instances, converted exactly as the
ORM would (SQLite, for one, returns naive datetimes and integers for booleans).
"""

from __future__ import annotations

from functools import cache

from django.db import connection
from django.db.models import Model

BIGINT = range(-(2**63), 2**63)


def fits(*ids: int) -> bool:
    """Whether ids from a URL fit a database id: SQLite raises, not "no such row", on larger ones."""
    return all(i in BIGINT for i in ids)


@cache
def columns(model: type[Model], alias: str) -> str:
    """`alias.column, …` for every concrete field of `model`, in field order."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


@cache
def _loaders(model: type[Model], vendor: str) -> tuple[list[str], list[tuple]]:
    # Kept per process: the converters are the database backend's and the fields', bound to the
    # first connection that asked, and read only settings (the time zone) from it.
    names, converters = [], []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        names.append(field.attname)
        # As the ORM's compiler does: the backend's converters, then the field's.
        converters.append((column, connection.ops.get_db_converters(column) + column.get_db_converters(connection)))
    return names, converters


def instances(row, *models: type[Model]) -> list[Model | None]:
    """Split `row` (each model's columns in turn, as `columns()` lists them) into one instance each;
    None for a model whose primary key is NULL (the missing side of a LEFT JOIN)."""
    built, start = [], 0
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
