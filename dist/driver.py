"""migration-guard driver: runs Alembic commands for migration-guard in the user's Python.

Started once per project by src/driver/client.ts and spoken to as JSON lines: one request per
line on stdin, one response per line on stdout, plus `{"event": ...}` progress lines before a
response. Everything else the user's code prints (print(), logging, subprocesses) goes to
stderr, because fd 1 is pointed at stderr before any user code runs.

Requests ({"id": n, "cmd": ..., ...}):
  load         config_path, section?, database_url, url_env?, statement_timeout_ms?
  upgrade      target, observe? -> statements executed (observe: with what each rewrote,
                                 scanned and how long its locks were held), error
  downgrade    target
  stamp        target
  current                      -> revisions recorded in the database
  heads-check                  -> heads of the loaded script directory
  model_drift                  -> alembic compare_metadata(target_metadata from env.py)
  set_url      database_url    -> later commands use this database of the same server
  shutdown

Supports alembic >= 1.8 with SQLAlchemy 1.4 / 2.x and psycopg2 / psycopg 3.
"""

import importlib
import json
import os
import sys
import time
import traceback

# The sibling modules are found next to this file even when Python runs isolated (-I, -P).
# driver_channel comes first: fds 0/1 are redirected before any user code is imported.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# Nothing is written next to the tool (its install may be read-only or shared), whatever
# PYTHONDONTWRITEBYTECODE the caller passes: no __pycache__ for our modules.
sys.dont_write_bytecode = True

import driver_channel  # noqa: E402

from driver_capture import close_locks  # noqa: E402
from driver_channel import send  # noqa: E402
from driver_project import (  # noqa: E402
    DriverError,
    cmd_heads,
    cmd_load,
    cmd_set_url,
    error_text,
    require_loaded,
)
from driver_state import STATE  # noqa: E402


def _run_command(fn, target, observe=False):
    from alembic import command

    require_loaded()
    STATE.recording = []
    STATE.pending = []
    STATE.last_error_statement = None
    STATE.capture_s = 0.0
    STATE.observe = observe
    STATE.tx_open = []
    STATE.last_probe = None
    start = time.perf_counter()
    error = None
    error_line = None
    error_revision = None
    error_trace = None
    try:
        getattr(command, fn)(STATE.cfg, target)
    except (Exception, SystemExit) as exc:
        error = error_text(exc)
        error_trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-4000:]
        tb = exc.__traceback__
        while tb is not None:
            path = os.path.abspath(tb.tb_frame.f_code.co_filename)
            rev = STATE.version_files.get(path)
            if rev is not None:
                error_line = tb.tb_lineno
                error_revision = rev
            tb = tb.tb_next
        failed = STATE.last_error_statement
        if failed is not None and error_line is None:
            error_line = failed["line"]
            error_revision = failed["revision"]
    finally:
        statements = STATE.recording
        # A statement that never reached after_cursor_execute (e.g. interrupted) still counts.
        for entry in STATE.pending:
            entry["durationMs"] = round((time.perf_counter() - entry.pop("_start")) * 1000, 3)
            statements.append(entry)
        STATE.recording = None
        STATE.pending = []
        STATE.observe = False
        if STATE.tx_open:  # a transaction the migration left open: held until now
            close_locks(STATE.tx_open, time.perf_counter())
            STATE.tx_open = []
        for entry in statements:
            entry.pop("_end", None)
    failed_sql = STATE.last_error_statement["sql"] if STATE.last_error_statement else None
    failed_detail = (
        STATE.last_error_statement.get("errorDetail") if STATE.last_error_statement else None
    )
    return {
        "ok": error is None,
        "durationMs": round((time.perf_counter() - start) * 1000, 3),
        # part of durationMs spent capturing (attribution, rendering, lock probes, events)
        "captureMs": round(STATE.capture_s * 1000, 3),
        "error": error,
        "errorLine": error_line,
        "errorRevision": error_revision,
        "failedStatement": failed_sql,
        "errorDetail": failed_detail,
        "traceback": error_trace,
        "statements": statements,
    }


def cmd_current(_req):
    from sqlalchemy import create_engine, pool
    from alembic.runtime.migration import MigrationContext

    require_loaded()
    engine = create_engine(STATE.url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn)
            return {"revisions": list(ctx.get_current_heads())}
    finally:
        engine.dispose()




def _describe_diff(diff):
    """One readable line per compare_metadata entry."""
    if isinstance(diff, list):  # column modifications come grouped
        return [line for d in diff for line in _describe_diff(d)]
    kind = diff[0]
    try:
        if kind in ("add_table", "remove_table"):
            return ["%s %s" % (kind.replace("_", " "), diff[1].name)]
        if kind in ("add_column", "remove_column"):
            return ["%s %s.%s" % (kind.replace("_", " "), diff[2], diff[3].name)]
        if kind in ("add_index", "remove_index"):
            idx = diff[1]
            return ["%s %s on %s" % (kind.replace("_", " "), idx.name, idx.table.name)]
        if kind in ("add_constraint", "remove_constraint", "add_fk", "remove_fk"):
            c = diff[1]
            table = getattr(getattr(c, "table", None), "name", "?")
            return ["%s %s on %s" % (kind.replace("_", " "), c.name or "(unnamed)", table)]
        if kind.startswith("modify_"):
            # ('modify_type', schema, table, column, existing_kw, old, new)
            return [
                "%s %s.%s: %s → %s"
                % (kind.replace("_", " "), diff[2], diff[3], diff[5], diff[6])
            ]
    except Exception:
        pass
    return [repr(diff)]


def cmd_model_drift(_req):
    """Runs env.py with a migration function that compares instead of migrating.

    env.py configures the MigrationContext with its own target_metadata, include_object,
    compare_type, etc.; our function receives that context, so the comparison uses the
    project's own settings (the same approach as `alembic check`)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.environment import EnvironmentContext

    require_loaded()
    result = {"drift": None, "reason": None}

    def compare(_rev, context):
        metadata = context.opts.get("target_metadata")
        if metadata is None:
            result["reason"] = "env.py passes no target_metadata to context.configure"
            return []
        diffs = compare_metadata(context, metadata)
        result["drift"] = [line for d in diffs for line in _describe_diff(d)]
        return []

    with EnvironmentContext(STATE.cfg, STATE.script, fn=compare, dont_mutate=True):
        STATE.script.run_env()
    return result


def handle(req):
    cmd = req.get("cmd")
    if cmd == "load":
        return cmd_load(req)
    if cmd in ("upgrade", "downgrade", "stamp"):
        return _run_command(cmd, req["target"], bool(req.get("observe")))
    if cmd == "current":
        return cmd_current(req)
    if cmd == "set_url":
        return cmd_set_url(req)
    if cmd == "heads-check":
        return cmd_heads(req)
    if cmd == "model_drift":
        return cmd_model_drift(req)
    if cmd == "ping":
        return {"pid": os.getpid()}
    raise DriverError("unknown request %r" % (cmd,))


def main():
    send({"event": "ready", "pid": os.getpid(), "python": sys.version.split()[0]})
    for raw in driver_channel.requests():
        raw = raw.strip()
        if not raw:
            continue
        req = json.loads(raw)
        rid = req.get("id")
        if req.get("cmd") == "shutdown":
            send({"id": rid, "ok": True, "result": {}})
            break
        try:
            result = handle(req)
            send({"id": rid, "ok": True, "result": result})
        except BaseException as exc:  # report and keep serving; the client decides
            if isinstance(exc, KeyboardInterrupt):
                raise
            send(
                {
                    "id": rid,
                    "ok": False,
                    "error": error_text(exc),
                    "errorType": type(exc).__name__,
                    "traceback": "".join(
                        traceback.format_exception(type(exc), exc, exc.__traceback__)
                    )[-4000:],
                }
            )
    driver_channel.flush()


if __name__ == "__main__":
    try:
        importlib.import_module("alembic")
    except ImportError as exc:
        send({"event": "fatal", "kind": "no-alembic", "error": str(exc)})
        sys.exit(3)
    main()
