"""Set-based writes for the dashboard's bench data: INSERT ... SELECT with the columns the ORM
would fill, in a transaction where the statistics triggers are off.

The triggers of reports/0002 (`reports_touch` on every table the facts read) move the rollup row
by row: over a million incidents that is hours of per-subject work, so a bulk load turns them off
for its own transaction (`ALTER TABLE ... DISABLE TRIGGER`, which commits with the load or rolls
back with it: no other session ever sees them off) and the rollup is rebuilt once afterwards from
a full scan (`benchmarks.dashboard_data.rollup_rebuild`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from benchmarks.database import omitted_columns

STATISTICS_TRIGGER = "reports_touch"


@contextmanager
def bulk_transaction(tables: Sequence[str]) -> Iterator[Any]:
    """A transaction and its cursor in which `tables` fire no statistics trigger (those of them
    that have one: the set grows as the facts read more tables). No statement or idle timeout;
    as a superuser, no per-row foreign-key trigger either (as pg_restore does: generated rows
    are consistent by construction)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        settings = dict(_SETTINGS)
        if cursor.fetchone()[0]:
            settings["session_replication_role"] = "replica"
        # Set for this transaction, and put back at its end: inside an outer transaction (a
        # test's), a setting made in a savepoint would outlive it.
        cursor.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [list(settings)])
        before = dict(cursor.fetchall())
        for name, value in settings.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        triggered = statistics_triggered(cursor, tables)
        for table in triggered:
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER {STATISTICS_TRIGGER}')
        yield cursor
        for table in triggered:
            cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER {STATISTICS_TRIGGER}')
        for name, value in before.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


_SETTINGS = {
    "statement_timeout": "0",
    "idle_in_transaction_session_timeout": "0",
    "maintenance_work_mem": "262144",  # kB: 256 MB
    "synchronous_commit": "off",
}


def statistics_triggered(cursor: Any, tables: Sequence[str]) -> list[str]:
    """Those of `tables` that carry the statistics trigger."""
    cursor.execute(
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = %s AND c.relname = ANY(%s) ORDER BY 1",
        [STATISTICS_TRIGGER, list(tables)],
    )
    return [row[0] for row in cursor.fetchall()]


def table_exists(cursor: Any, table: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
    return bool(cursor.fetchone()[0])


def insert_select(
    cursor: Any, model: Any, columns: Sequence[str], select: str, params: dict[str, Any]
) -> int:
    """`INSERT INTO <model's table> (columns, omitted...) SELECT q.*, defaults FROM (select) q`:
    `select` yields `columns` in order; the NOT NULL columns it leaves out get the value the ORM
    would write (`benchmarks.database.omitted_columns`). A unique column left
    out would get one value for every row: refused, so the loader names it instead."""
    omitted, defaults = omitted_columns(model, columns)
    unique = [f.column for f in model._meta.concrete_fields if f.unique and f.column in omitted]
    if unique:
        raise RuntimeError(
            f"benchmarks: {model._meta.db_table}.{unique[0]} is unique; the loader must fill it"
        )
    extra = "".join(f", %(omitted_{n})s" for n in range(len(omitted)))
    statement = (
        f"INSERT INTO {model._meta.db_table} ({', '.join([*columns, *omitted])})\n"
        f"SELECT q.*{extra} FROM ({select}) AS q"
    )
    cursor.execute(statement, {**params, **{f"omitted_{n}": value for n, value in enumerate(defaults)}})
    return int(cursor.rowcount)


# A number from 0 to 2**32 - 1 scrambled from a row number and a salt (PostgreSQL's integer hash,
# every bit mixed), for choices that should not follow the row's place in the modular patterns
# of the other loaders (office = row mod 30...). `mod()`, not `%`: the statements carry
# %(name)s parameters.
def mix(expression: str, salt: int = 0) -> str:
    return f"(hashint8(({expression})::bigint * 1000 + {salt})::bigint + 2147483648)"
