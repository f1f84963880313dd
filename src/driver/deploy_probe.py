"""Runs the deployed release's models against the migrated database (rule breaks-deployed-app).

Teams deploy a migration before or with the code that needs it, so for a while the application
built from the base branch runs against the new schema. Run by src/alembic/deploy-probe.ts in
the user's Python, in a git worktree of the base commit, after the pull request's revisions
upgraded the database: the base commit's env.py ``target_metadata`` is loaded as
capture_metadata.py does, then every mapped table is exercised the way that release's code
does: select every mapped column, insert a row as the ORM would (a value for each column the
model knows, its Python-side defaults applied, nothing for columns it does not know), update
that row by primary key, delete it. Everything runs in one transaction that is rolled back, each
statement in its own savepoint, as the role the migrations ran as.

Only errors the schema change explains are reported (a column or table that is gone, a NOT NULL
column the insert leaves out, a value of the model's type the column no longer takes);
constraint errors of the generated values (unique, foreign key, check) are not.

Protocol: one JSON line on stdin, capture_metadata.py's request; with ``"capture": true`` in
it, capture_metadata.py's result line is written as soon as the models are loaded (the
base-models stage reads it, so the models are imported once). Then a second line, sent when the round trip reached heads (stdin closed instead: nothing runs):
  {"probeUrl": "postgresql://...", "statementTimeoutMs": 5000}
and one line on stdout starting with ``MIGRATION_GUARD_DEPLOY_PROBE `` followed by JSON:
  {"failures": [{"model", "table", "column", "kind", "operations", "statement", "error",
                 "sqlstate"}], "tables": 3, "skipped": [...]}
  {"failures": null, "reason": "..."}        the models could not be loaded or run
"""

import importlib.util
import json
import re
import sys
import time

STARTED = time.monotonic()

from capture_metadata import MARKER as CAPTURE_MARKER
from capture_metadata import load_metadata, tables_of
from deploy_values import SKIP, value_for, written_by_database

MARKER = "MIGRATION_GUARD_DEPLOY_PROBE "

# SQLSTATEs a schema change explains; others (unique, foreign key, check) may be the values'.
KIND_OF_SQLSTATE = {
    "42703": "missing-column",
    "42P01": "missing-table",
    "23502": "not-null",
    "22001": "type",
    "22003": "type",
    "22P02": "type",
    "42804": "type",
    "42883": "type",
}
MAX_RETRIES = 10


def _engine_url(url):
    """A synchronous driver the user's Python has: psycopg2, else psycopg 3."""
    rest = re.sub(r"^[A-Za-z0-9+.-]+://", "", url, count=1)
    if importlib.util.find_spec("psycopg2") is not None:
        return "postgresql+psycopg2://" + rest
    return "postgresql+psycopg://" + rest


def _warm_up(placeholder_url):
    """Imports the database driver and SQLAlchemy's dialect while the round trip runs.

    An engine connects only when used: this one never is, so it only moves the imports off the
    time at heads.
    """
    if not placeholder_url:
        return
    try:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        create_engine(_engine_url(placeholder_url), poolclass=NullPool, future=True).dispose()
    except Exception:
        pass


def model_names():
    """Mapped table → ORM class name, for every declarative registry the models created."""
    names = {}
    try:
        from sqlalchemy.orm import mapperlib

        registries = list(getattr(mapperlib, "_mapper_registries", {}) or {})
    except Exception:
        registries = []
    for registry in registries:
        for mapper in list(getattr(registry, "mappers", ())):
            for table in getattr(mapper, "tables", ()) or ():
                names.setdefault(table, mapper.class_.__name__)
    return names


def _orig(exc):
    return getattr(exc, "orig", None) or exc


def _sqlstate(exc):
    orig = _orig(exc)
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def _error_line(exc):
    text = str(_orig(exc)).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _named_column(exc):
    orig = _orig(exc)
    diag = getattr(orig, "diag", None)
    column = getattr(diag, "column_name", None) if diag is not None else None
    if column:
        return column
    m = re.search(r'column "([^"]+)"', _error_line(exc))
    if not m:
        return None
    # `column users.nickname does not exist` (select) vs `column "x" of relation "t"`.
    return m.group(1).split(".")[-1]


class Probe:
    def __init__(self, conn, metadata):
        self.conn = conn
        self.metadata = metadata
        self.names = model_names()
        self.failures = {}
        self.skipped = []
        self.inserted = {}

    def run(self):
        items = self.metadata if isinstance(self.metadata, (list, tuple)) else [self.metadata]
        tables = [t for md in items for t in md.sorted_tables]
        for table in tables:
            self.select(table)
            self.insert(table)
        for table in tables:
            self.update(table)
        for table in reversed(tables):
            self.delete(table)
        return tables

    def _try(self, statement, keep=False):
        """Runs one statement in a savepoint; the error, or None. Rolled back unless `keep`."""
        savepoint = self.conn.begin_nested()
        try:
            result = self.conn.execute(statement)
            row = result.first() if result.returns_rows else None
        except Exception as exc:  # the database said no: the caller decides whether it counts
            savepoint.rollback()
            return exc, None
        if keep:
            savepoint.commit()
        else:
            savepoint.rollback()
        return None, row

    def _record(self, table, operation, statement, exc, column=None):
        kind = KIND_OF_SQLSTATE.get(_sqlstate(exc))
        if kind is None:
            return False
        if kind in ("missing-column", "not-null", "type") and column is None:
            column = _named_column(exc)
        if kind == "not-null" and column in table.columns and table.columns[column].server_default is None:
            # The model maps the column and left it to us: a value it would send was skipped.
            return False
        key = (table.fullname, column if kind != "missing-table" else None, kind)
        failure = self.failures.get(key)
        if failure is None:
            failure = {
                "model": self.names.get(table),
                "table": _display_name(table),
                "column": key[1],
                "kind": kind,
                "operations": [],
                "statement": _sql(statement, self.conn),
                "error": _error_line(exc),
                "sqlstate": _sqlstate(exc),
            }
            self.failures[key] = failure
        if operation not in failure["operations"]:
            failure["operations"].append(operation)
        return True

    def select(self, table):
        from sqlalchemy import select

        statement = select(*table.columns).limit(1)
        exc, _row = self._try(statement)
        if exc is None:
            return
        if _sqlstate(exc) != "42703":
            self._record(table, "select", statement, exc)
            return
        # One statement names one missing column: try each to name every one.
        for column in table.columns:
            one = select(column).limit(1)
            col_exc, _ = self._try(one)
            if col_exc is not None:
                self._record(table, "select", one, col_exc, column.name)

    def _values(self, table, for_update):
        auto = table._autoincrement_column
        values = {}
        for column in table.columns:
            if for_update and column.primary_key:
                continue
            if written_by_database(column, auto):
                continue
            value = self._foreign_value(column)
            if value is SKIP:
                value = value_for(column)
            if value is SKIP:
                if not column.nullable and table.name not in self.skipped:
                    self.skipped.append(table.name)
                continue
            values[column.name] = value
        return values

    def _foreign_value(self, column):
        from sqlalchemy import select

        for fk in column.foreign_keys:
            try:
                target = fk.column
            except Exception:
                return SKIP
            exc, row = self._try(select(target).limit(1))
            if exc is None:
                return row[0] if row is not None else None
        return SKIP

    def _write(self, table, operation, build, values, keep):
        """Runs an insert/update, leaving out each column the database no longer has."""
        lost_column = False
        for _ in range(MAX_RETRIES):
            statement = build(values)
            exc, row = self._try(statement, keep=keep)
            if exc is None:
                return row
            if lost_column and _sqlstate(exc) == "23502" and _named_column(exc) not in table.columns:
                # A column the model writes is gone; a NOT NULL column it does not know is
                # then its new name (a rename): the same cause, already reported.
                return None
            if not self._record(table, operation, statement, exc):
                return None
            column = _named_column(exc)
            if _sqlstate(exc) not in ("42703", "22001", "22P02", "42804") or column not in values:
                return None
            lost_column = lost_column or _sqlstate(exc) == "42703"
            values = {k: v for k, v in values.items() if k != column}
        return None

    def insert(self, table):
        pk = list(table.primary_key.columns)

        def build(values):
            statement = table.insert().values(**values)
            return statement.returning(*pk) if pk else statement

        row = self._write(table, "insert", build, self._values(table, False), keep=True)
        if row is not None and pk:
            self.inserted[table] = dict(zip([c.name for c in pk], row))

    def _row_key(self, table):
        from sqlalchemy import select

        pk = list(table.primary_key.columns)
        if not pk:
            return None
        if table in self.inserted:
            return self.inserted[table]
        exc, row = self._try(select(*pk).limit(1))
        if exc is None and row is not None:
            return dict(zip([c.name for c in pk], row))
        return None

    def _where(self, table, key):
        from sqlalchemy import and_

        return and_(*[table.columns[name] == value for name, value in key.items()])

    def update(self, table):
        key = self._row_key(table)
        if key is None:
            return
        values = self._values(table, True)
        if not values:
            return
        self._write(table, "update", lambda v: table.update().where(self._where(table, key)).values(**v), values, False)

    def delete(self, table):
        key = self._row_key(table)
        if key is None:
            return
        statement = table.delete().where(self._where(table, key))
        exc, _ = self._try(statement)
        if exc is not None:
            self._record(table, "delete", statement, exc)


def _display_name(table):
    if not table.schema or table.schema == "public":
        return table.name
    return "%s.%s" % (table.schema, table.name)


def _sql(statement, conn):
    try:
        text = str(statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    except Exception:  # a value without a literal form (JSON, arrays): placeholders then
        text = str(statement.compile(dialect=conn.dialect))
    return " ".join(text.split())


def probe(request, next_request, announce=None):
    metadata, reason = load_metadata(request)
    if announce is not None:
        # capture_metadata.py's answer, from the same import of the models: one process serves
        # both the two-step drop rules and the probe.
        captured = {"tables": tables_of(metadata)} if metadata is not None else {"tables": None}
        announce(dict(captured, reason=reason) if metadata is None else captured)
    if metadata is None:
        return {"failures": None, "reason": reason}
    _warm_up(request.get("placeholderUrl"))
    # The models are loaded while the round trip runs; the database URL comes once it is done.
    loaded = time.monotonic()
    go = next_request()
    asked = time.monotonic()
    if go is None:
        return {"failures": None, "reason": "not run"}
    request = dict(request, **go)
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(_engine_url(request["probeUrl"]), poolclass=NullPool, future=True)
    try:
        with engine.connect() as conn:
            transaction = conn.begin()
            try:
                timeout = int(request.get("statementTimeoutMs") or 5000)
                conn.execute(text("SET LOCAL statement_timeout = %d" % timeout))
                conn.execute(text("SET LOCAL lock_timeout = %d" % timeout))
                runner = Probe(conn, metadata)
                tables = runner.run()
            finally:
                transaction.rollback()
    finally:
        engine.dispose()
    timings = {
        "loadMs": round((loaded - STARTED) * 1000),
        "waitMs": round((asked - loaded) * 1000),
        "probeMs": round((time.monotonic() - asked) * 1000),
    }
    return {
        "failures": list(runner.failures.values()),
        "tables": len(tables),
        "skipped": runner.skipped,
        "timings": timings,
    }


def _next_request(stdin):
    """The second request line ({"probeUrl", "statementTimeoutMs"}); None when stdin closed."""
    line = stdin.readline()
    return json.loads(line) if line.strip() else None


def main():
    stdin = sys.stdin
    request = json.loads(stdin.readline())
    real_stdout = sys.stdout
    # Models and env.py may print; only the result line goes to stdout.
    sys.stdout = sys.stderr

    def announce(captured):
        real_stdout.write(CAPTURE_MARKER + json.dumps(captured) + "\n")
        real_stdout.flush()

    try:
        result = probe(request, lambda: _next_request(stdin), announce if request.get("capture") else None)
    except Exception as exc:
        result = {"failures": None, "reason": ("%s: %s" % (type(exc).__name__, exc)).splitlines()[0]}
    real_stdout.write(MARKER + json.dumps(result, default=str) + "\n")
    real_stdout.flush()


if __name__ == "__main__":
    main()
