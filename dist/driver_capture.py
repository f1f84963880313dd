"""Statement capture for the driver (see driver.py): SQLAlchemy engine events record every
statement a command executes with the revision and line that issued it, the locks it holds, the
timeouts in force and, for pending revisions, what it rewrote and scanned."""

import os
import re
import sys
import time

from driver_channel import send
from driver_observe import close_locks, observe_probe, observed, probe_rows
from driver_state import STATE

MAX_SQL_CHARS = 20000
MAX_EXECUTEMANY_ROWS = 50

LOCKS_SQL = (
    "select case when n.nspname = 'public' then c.relname"
    " else n.nspname || '.' || c.relname end as relation, l.mode"
    " from pg_locks l"
    " join pg_class c on c.oid = l.relation"
    " join pg_namespace n on n.oid = c.relnamespace"
    " where l.pid = pg_backend_pid() and l.granted"
    " and l.database = (select oid from pg_database where datname = current_database())"
    " and n.nspname not in ('pg_catalog', 'information_schema')"
    " and n.nspname not like 'pg\\_toast%%' and c.relname not like 'pg\\_%%'"
    " order by 1, 2"
)
# psycopg2 and psycopg interpret %% in a query without parameters differently; build the
# parameterless variant once.
LOCKS_SQL_PLAIN = LOCKS_SQL.replace("%%", "%")

# The timeouts the server applies to the next statement, whatever set them (env.py, the
# connection options, ALTER ROLE / ALTER DATABASE, a SET earlier in the revision). pg_settings
# gives them in milliseconds; `source` tells our own PGOPTIONS guard apart.
TIMEOUTS_SQL = (
    "select name, setting, source from pg_settings"
    " where name in ('lock_timeout', 'statement_timeout')"
)

BOOKKEEPING_FUNCTIONS = {
    "_ensure_version_table",
    "update_to_step",
    "_update_current_rev",
    "get_current_heads",
    "_has_version_table",
    "stamp",
    "initialize",
    "_check_unicode_returns",
    "_check_unicode_description",
    "get_server_version_info",
    "_get_server_version_info",
    "_get_default_schema_name",
    "get_isolation_level",
    "_set_backslash_escapes",
    "do_rollback",
    "do_commit",
}


# --- statement capture ----------------------------------------------------------------------


def _revision_frame():
    """Innermost stack frame inside a revision file: (revision id, line)."""
    frame = sys._getframe(2)
    files = STATE.version_files
    bookkeeping = False
    while frame is not None:
        fname = frame.f_code.co_filename
        rev = files.get(fname)
        if rev is None and fname not in files:
            absname = os.path.abspath(fname)
            rev = files.get(absname)
            if rev is not None:
                files[fname] = rev
        if rev is not None:
            return rev, frame.f_lineno, False
        if frame.f_code.co_name in BOOKKEEPING_FUNCTIONS and (
            "alembic" in fname or "sqlalchemy" in fname
        ):
            bookkeeping = True
        frame = frame.f_back
    return None, None, bookkeeping


def _render_one(cursor, statement, params):
    if params is None or (isinstance(params, (tuple, list, dict)) and len(params) == 0):
        return statement
    mogrify = getattr(cursor, "mogrify", None)
    if mogrify is not None:
        try:
            out = mogrify(statement, params)
            return out.decode("utf-8", "replace") if isinstance(out, bytes) else str(out)
        except Exception:
            pass
    # psycopg 3 server-side binding: render with a client-side cursor of the same connection.
    try:
        import psycopg  # noqa: F401

        client_cursor = psycopg.ClientCursor(cursor.connection)
        try:
            return str(client_cursor.mogrify(statement, params))
        finally:
            client_cursor.close()
    except Exception:
        pass
    try:
        if isinstance(params, dict):
            return re.sub(
                r"%\((\w+)\)s",
                lambda m: repr(params.get(m.group(1))),
                statement,
            )
        values = iter(params)
        return re.sub(r"%s|\?", lambda m: repr(next(values, None)), statement)
    except Exception:
        return statement


def _render(cursor, statement, parameters, executemany):
    if executemany and isinstance(parameters, (list, tuple)):
        rows = list(parameters)[:MAX_EXECUTEMANY_ROWS]
        text = ";\n".join(_render_one(cursor, statement, p) for p in rows)
        if len(parameters) > MAX_EXECUTEMANY_ROWS:
            text += ";\n-- … %d more rows" % (len(parameters) - MAX_EXECUTEMANY_ROWS)
        return text
    return _render_one(cursor, statement, parameters)


def _transaction_status(dbapi_conn):
    """libpq transaction status: 0 idle, 1 active, 2 in transaction, 3 in error."""
    try:
        getter = getattr(dbapi_conn, "get_transaction_status", None)
        if getter is not None:  # psycopg2
            return int(getter())
        info = getattr(dbapi_conn, "info", None)
        if info is not None and hasattr(info, "transaction_status"):  # psycopg 3
            return int(info.transaction_status)
    except Exception:
        pass
    return None


def _in_transaction(dbapi_conn):
    status = _transaction_status(dbapi_conn)
    if status is not None:
        return status in (2, 3)
    autocommit = getattr(dbapi_conn, "autocommit", None)
    return None if autocommit is None else not bool(autocommit)


def _read_locks(dbapi_conn):
    try:
        rows = probe_rows(dbapi_conn, LOCKS_SQL_PLAIN)
    except Exception as e:  # never break the user's migration because of our probe
        return [{"relation": "?", "mode": "unknown (%s)" % type(e).__name__}]
    seen = []
    for relation, mode in rows:
        item = {"relation": relation, "mode": mode}
        if item not in seen:
            seen.append(item)
    return seen


def _dbapi_connection(conn, cursor):
    dbapi_conn = getattr(cursor, "connection", None)
    if dbapi_conn is None:
        try:
            dbapi_conn = conn.connection.dbapi_connection
        except Exception:  # SQLAlchemy 1.4; None when the error context has no connection
            dbapi_conn = getattr(getattr(conn, "connection", None), "connection", None)
    return dbapi_conn


def on_before_execute(conn, cursor, statement, parameters, context, executemany):
    if STATE.recording is None:
        return
    hook_start = time.perf_counter()
    rev, line, bookkeeping = _revision_frame()
    sql = _render(cursor, statement, parameters, executemany)
    if len(sql) > MAX_SQL_CHARS:
        sql = sql[:MAX_SQL_CHARS] + " …"
    if rev is None and re.search(r"\balembic_version\b", statement):
        bookkeeping = True
    entry = {
        "sql": sql,
        "line": line,
        "revision": rev,
        "bookkeeping": bookkeeping and rev is None,
        "durationMs": 0,
        "locks": [],
        "inTransaction": None,
        "error": None,
        "_start": time.perf_counter(),
    }
    if rev is not None:
        _record_session_state(entry, _dbapi_connection(conn, cursor))
    # The previous observed statement's "after" is this one's "before" when nothing else ran on
    # the connection since and its transaction is still open (the scan counters are per
    # transaction): any other statement, a commit or a rollback drops it first.
    reusable, STATE.last_probe = STATE.last_probe, None
    if STATE.observe and rev is not None and not entry["bookkeeping"]:
        dbapi_conn = _dbapi_connection(conn, cursor)
        same = reusable is not None and reusable[0] is dbapi_conn
        if same and entry.get("inTransactionBefore") is True:
            entry["_probe"] = reusable[1]
        else:
            entry["_probe"] = observe_probe(dbapi_conn)
    STATE.pending.append(entry)
    send({"event": "statement", "sql": sql[:2000], "line": line, "revision": rev})
    now = time.perf_counter()
    STATE.capture_s += now - hook_start
    entry["_start"] = now


def _record_session_state(entry, dbapi_conn):
    """Before a revision's statement: was a transaction open, and which timeouts apply."""
    status = _transaction_status(dbapi_conn)
    if status is not None:
        entry["inTransactionBefore"] = status in (2, 3)
    if status == 3:  # an aborted transaction answers nothing; the statement will fail anyway
        return
    try:
        for name, setting, source in probe_rows(dbapi_conn, TIMEOUTS_SQL):
            ms = int(float(setting))
            if (
                name == "statement_timeout"
                and source == "client"
                and ms == STATE.own_statement_timeout_ms
            ):
                ms = 0  # our safety limit for the throwaway database, not the project's
            entry["lockTimeoutMs" if name == "lock_timeout" else "statementTimeoutMs"] = ms
    except Exception:  # never break the user's migration because of our probe
        pass


def on_after_execute(conn, cursor, statement, parameters, context, executemany):
    if STATE.recording is None or not STATE.pending:
        return
    hook_start = time.perf_counter()
    entry = STATE.pending.pop()
    entry["durationMs"] = round((hook_start - entry.pop("_start")) * 1000, 3)
    dbapi_conn = _dbapi_connection(conn, cursor)
    entry["inTransaction"] = _in_transaction(dbapi_conn)
    if not entry["bookkeeping"]:
        entry["locks"] = _read_locks(dbapi_conn)
    before = entry.pop("_probe", None)
    if before is not None:
        after = observe_probe(dbapi_conn)
        entry["observed"] = observed(before, after, entry, dbapi_conn)
        if after is not None and entry["inTransaction"] is True:
            STATE.last_probe = (dbapi_conn, after)
        entry["_end"] = hook_start
        if entry["inTransaction"]:
            STATE.tx_open.append(entry)
        else:
            close_locks([entry], hook_start)
    STATE.recording.append(entry)
    STATE.capture_s += time.perf_counter() - hook_start


def on_transaction_end(conn):
    STATE.last_probe = None
    if STATE.tx_open:
        close_locks(STATE.tx_open, time.perf_counter())
        STATE.tx_open = []


def on_handle_error(ctx):
    STATE.last_probe = None
    if STATE.recording is None or not STATE.pending:
        return
    entry = STATE.pending.pop()
    entry["durationMs"] = round((time.perf_counter() - entry.pop("_start")) * 1000, 3)
    exc = getattr(ctx, "original_exception", None)
    entry.update(error=db_error_text(exc), errorDetail=_db_error_detail(exc))
    status = _transaction_status(_dbapi_connection(ctx.connection, getattr(ctx, "cursor", None)))
    entry["inTransaction"] = status not in (0, 1)  # idle: autocommit (CONCURRENTLY met duplicates)
    STATE.recording.append(entry)
    STATE.last_error_statement = entry


def db_error_text(exc):
    if exc is None:
        return "unknown database error"
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return "%s: %s" % (type(exc).__name__, first)


def _db_error_detail(exc):
    """The server's DETAIL line (`Key (email)=(a@b) is duplicated.`), psycopg2 and psycopg 3."""
    try:
        detail = getattr(getattr(exc, "diag", None), "message_detail", None)
        return str(detail)[:2000] if detail else None
    except Exception:
        return None


def install_capture():
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    event.listen(Engine, "before_cursor_execute", on_before_execute)
    event.listen(Engine, "after_cursor_execute", on_after_execute)
    event.listen(Engine, "handle_error", on_handle_error)
    event.listen(Engine, "commit", on_transaction_end)
    event.listen(Engine, "rollback", on_transaction_end)


# --- loading the project --------------------------------------------------------------------
