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

import json
import os
import re
import sys
import time
import traceback

# --- protocol channel -----------------------------------------------------------------------
# Keep private copies of the real stdin/stdout and point fds 0/1 away from them, so nothing the
# migrations run (print, logging to stdout, child processes) can read requests or corrupt replies.
_PROTO_OUT = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
_PROTO_IN = os.fdopen(os.dup(0), "r", encoding="utf-8")
os.dup2(2, 1)
_devnull = os.open(os.devnull, os.O_RDONLY)
os.dup2(_devnull, 0)
os.close(_devnull)
sys.stdout = sys.stderr


def send(obj):
    _PROTO_OUT.write(json.dumps(obj, default=str) + "\n")
    _PROTO_OUT.flush()


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

# What a statement did to the storage and how much it read: relfilenode of every user table and
# index (a new one = rewritten), and the sequential scans / tuples read so far in this
# transaction (pg_stat_xact_user_tables). Read before and after each observed statement.
OBSERVE_SQL = (
    "select coalesce(json_object_agg(rel, json_build_array(fn, scans, tup, kind, size)), '{}')"
    " from (select case when n.nspname = 'public' then c.relname"
    " else n.nspname || '.' || c.relname end as rel, c.relfilenode as fn,"
    " coalesce(s.seq_scan, 0) as scans, coalesce(s.seq_tup_read, 0) as tup,"
    " c.relkind as kind, case when c.relkind = 'r' then pg_relation_size(c.oid) else 0 end as size"
    " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
    " left join pg_stat_xact_user_tables s on s.relid = c.oid"
    " where c.relkind in ('r', 'i', 'm') and n.nspname <> 'information_schema'"
    " and n.nspname !~ '^pg_') x"
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


class DriverState:
    def __init__(self):
        self.cfg = None
        self.script = None
        self.url = None
        self.url_env = None
        self.version_files = {}  # abspath -> revision id
        self.import_errors = []
        self.excluded = []
        # Revision files the caller's static graph cannot place (a cycle, a parent that does
        # not exist): left out so alembic can load the rest of the directory.
        self.unplaceable = set()
        self.recording = None  # list of statements while a command runs
        self.pending = []  # stack of in-flight statements
        self.alembic_dir = None
        self.last_error_statement = None
        self.capture_s = 0.0  # time spent in our hooks during the current command
        self.own_statement_timeout_ms = 0  # the guard we put in PGOPTIONS; not the project's
        self.observe = False  # probe rewrites / scans around each statement (pending revisions)
        self.tx_open = []  # observed statements of the transaction still open


STATE = DriverState()


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
    cur = None
    try:
        cur = dbapi_conn.cursor()
        cur.execute(LOCKS_SQL_PLAIN)
        rows = cur.fetchall()
        seen = []
        for relation, mode in rows:
            item = {"relation": relation, "mode": mode}
            if item not in seen:
                seen.append(item)
        return seen
    except Exception as e:  # never break the user's migration because of our probe
        return [{"relation": "?", "mode": "unknown (%s)" % type(e).__name__}]
    finally:
        if cur is not None:
            try:
                cur.close()
            except Exception:
                pass


def _dbapi_connection(conn, cursor):
    dbapi_conn = getattr(cursor, "connection", None)
    if dbapi_conn is None:
        try:
            dbapi_conn = conn.connection.dbapi_connection
        except Exception:
            dbapi_conn = conn.connection.connection
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
    if STATE.observe and rev is not None and not entry["bookkeeping"]:
        entry["_probe"] = _observe_probe(_dbapi_connection(conn, cursor))
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
    cur = None
    try:
        cur = dbapi_conn.cursor()
        cur.execute(TIMEOUTS_SQL)
        for name, setting, source in cur.fetchall():
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
    finally:
        if cur is not None:
            try:
                cur.close()
            except Exception:
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
        entry["observed"] = _observed(before, _observe_probe(dbapi_conn), entry)
        entry["_end"] = hook_start
        if entry["inTransaction"]:
            STATE.tx_open.append(entry)
        else:
            _close_locks([entry], hook_start)
    STATE.recording.append(entry)
    STATE.capture_s += time.perf_counter() - hook_start


def _observe_probe(dbapi_conn):
    cur = None
    try:
        cur = dbapi_conn.cursor()
        cur.execute(OBSERVE_SQL)
        row = cur.fetchone()
        value = row[0] if row else {}
        return json.loads(value) if isinstance(value, str) else (value or {})
    except Exception:
        return None
    finally:
        if cur is not None:
            try:
                cur.close()
            except Exception:
                pass


def _observed(before, after, entry):
    """rewrote: existing relations with a new relfilenode; scanned: existing tables whose
    sequential scans grew within the transaction (unknown outside one)."""
    if after is None:
        return None
    rewrote = []
    scanned = []
    rows = {}
    sizes = {}
    for rel, (fn, scans, tup, kind, size) in after.items():
        old = before.get(rel)
        if old is None:
            continue  # created by this statement: nothing existed to rewrite or lock
        if fn != old[0]:
            rewrote.append(rel)
        if kind == "r":
            sizes[rel] = size
            if entry["inTransaction"] and scans > old[1]:
                scanned.append(rel)
            if tup > old[2]:
                rows[rel] = tup - old[2]
    locked = sorted(
        {l["relation"] for l in entry.get("locks", []) if l["relation"] in before}
    )
    return {
        "rewrote": sorted(rewrote),
        "scanned": sorted(scanned) if entry["inTransaction"] else None,
        "rowsRead": rows,
        "bytes": {rel: sizes[rel] for rel in sizes if rel in rewrote or rel in scanned},
        "locked": locked,
        "lockMs": {},
    }


def _close_locks(entries, end):
    """The transaction ended at `end`: each statement's locks were held from its start."""
    for entry in entries:
        obs = entry.get("observed")
        if not obs:
            continue
        held = round((end - entry["_end"]) * 1000 + entry["durationMs"], 3)
        obs["lockMs"] = {rel: held for rel in obs["locked"]}
        entry.pop("_end", None)


def on_transaction_end(conn):
    if STATE.tx_open:
        _close_locks(STATE.tx_open, time.perf_counter())
        STATE.tx_open = []


def on_handle_error(ctx):
    if STATE.recording is None or not STATE.pending:
        return
    entry = STATE.pending.pop()
    entry["durationMs"] = round((time.perf_counter() - entry.pop("_start")) * 1000, 3)
    entry["error"] = _db_error_text(getattr(ctx, "original_exception", None))
    entry["errorDetail"] = _db_error_detail(getattr(ctx, "original_exception", None))
    entry["inTransaction"] = True if entry["inTransaction"] is None else entry["inTransaction"]
    STATE.recording.append(entry)
    STATE.last_error_statement = entry


def _db_error_text(exc):
    if exc is None:
        return "unknown database error"
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
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


def _driver_scheme(configured):
    """`postgresql+psycopg` when the project's URL names a driver, else plain `postgresql`."""
    m = re.match(r"^\s*(postgres(?:ql)?)(\+[A-Za-z0-9_]+)?://", configured or "")
    if m and m.group(2):
        return "postgresql" + m.group(2)
    return "postgresql"


def _with_scheme(url, scheme):
    return re.sub(r"^[A-Za-z0-9+.-]+://", scheme + "://", url, count=1)


def _line_of_exception(exc, path):
    """Line in `path` where `exc` was raised (SyntaxError carries its own)."""
    if isinstance(exc, SyntaxError) and exc.lineno is not None:
        return exc.lineno
    tb = exc.__traceback__
    line = None
    target = os.path.abspath(path)
    while tb is not None:
        if os.path.abspath(tb.tb_frame.f_code.co_filename) == target:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _error_text(exc):
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    orig = getattr(exc, "orig", None)
    if orig is not None:
        return _db_error_text(orig)
    return "%s: %s" % (type(exc).__name__, first) if first else type(exc).__name__


def _patch_script_loading(script_cls):
    """Make a revision file that fails to import skip instead of breaking the whole directory."""
    original = script_cls.__dict__["_from_filename"]
    original_fn = original.__func__

    def _from_filename(cls, scriptdir, dir_, filename):
        path = os.path.abspath(os.path.join(dir_, filename))
        if path in STATE.unplaceable:
            return None
        try:
            return original_fn(cls, scriptdir, dir_, filename)
        except Exception as exc:
            if not filename.endswith(".py"):
                raise
            STATE.import_errors.append(
                {
                    "file": path,
                    "error": _error_text(exc),
                    "line": _line_of_exception(exc, path),
                }
            )
            return None

    script_cls._from_filename = classmethod(_from_filename)


def _filter_unresolvable(script):
    """Drop revisions whose parents are missing (a parent failed to import)."""
    original = script._load_revisions

    def _load_revisions():
        scripts = [s for s in original()]
        known = {s.revision for s in scripts}
        changed = True
        while changed:
            changed = False
            for s in list(scripts):
                refs = list(_as_tuple(s.down_revision)) + list(
                    _as_tuple(getattr(s, "dependencies", None))
                )
                missing = [r for r in refs if r not in known and "@" not in r]
                if missing and (STATE.import_errors or STATE.unplaceable):
                    scripts.remove(s)
                    known.discard(s.revision)
                    STATE.excluded.append(
                        {"revision": s.revision, "file": os.path.abspath(s.path), "missing": missing}
                    )
                    changed = True
        for s in scripts:
            yield s

    script._load_revisions = _load_revisions
    from alembic.script import revision as revision_mod

    script.revision_map = revision_mod.RevisionMap(script._load_revisions)


def _as_tuple(value):
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def cmd_load(req):
    import alembic
    import sqlalchemy
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.script.base import Script

    config_path = os.path.abspath(req["config_path"])
    section = req.get("section") or "alembic"
    config_dir = os.path.dirname(config_path)
    os.chdir(config_dir)
    if config_dir not in sys.path:
        sys.path.append(config_dir)  # like `python -m alembic` run from the project dir

    # alembic >= 1.16 reads [tool.alembic] from pyproject.toml (alone or next to alembic.ini,
    # as its CLI does); older versions have no toml_file parameter.
    import inspect

    supports_toml = "toml_file" in inspect.signature(Config.__init__).parameters
    if config_path.endswith(".toml"):
        if not supports_toml:
            raise DriverError(
                "alembic %s cannot read %s: pyproject.toml configuration needs alembic >= 1.16"
                % (alembic.__version__, os.path.basename(config_path))
            )
        cfg = Config(toml_file=config_path, ini_section=section)
    else:
        pyproject = os.path.join(config_dir, "pyproject.toml")
        if supports_toml and os.path.exists(pyproject):
            cfg = Config(config_path, ini_section=section, toml_file=pyproject)
        else:
            cfg = Config(config_path, ini_section=section)

    url_env = req.get("url_env") or "DATABASE_URL"
    configured = cfg.get_main_option("sqlalchemy.url") or os.environ.get(url_env) or ""
    url = _with_scheme(req["database_url"], _driver_scheme(configured))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    os.environ[url_env] = url
    timeout = int(req.get("statement_timeout_ms") or 0)
    STATE.own_statement_timeout_ms = timeout
    if timeout > 0:
        # libpq reads PGOPTIONS for every connection (psycopg2 and psycopg 3), whatever engine
        # env.py builds, and applies it outside any transaction.
        os.environ["PGOPTIONS"] = (
            os.environ.get("PGOPTIONS", "") + " -c statement_timeout=%d" % timeout
        ).strip()
    STATE.cfg = cfg
    STATE.url = url
    STATE.url_env = url_env
    STATE.unplaceable = {os.path.abspath(f) for f in req.get("exclude_files") or []}

    _patch_script_loading(Script)
    script = ScriptDirectory.from_config(cfg)
    _filter_unresolvable(script)
    revisions = []
    for rev in script.walk_revisions():
        path = os.path.abspath(rev.path)
        STATE.version_files[path] = rev.revision
        revisions.append(
            {
                "id": rev.revision,
                "downRevisions": list(_as_tuple(rev.down_revision)),
                "dependsOn": list(_as_tuple(getattr(rev, "dependencies", None))),
                "file": path,
            }
        )
    revisions.reverse()  # walk_revisions goes heads -> base

    # Every alembic command calls ScriptDirectory.from_config; building it imports every
    # revision file. Reuse this one for the whole process (300 revisions: 51 s -> 11 s).
    ScriptDirectory.from_config = classmethod(lambda cls, config: script)
    STATE.script = script
    STATE.alembic_dir = os.path.dirname(os.path.abspath(alembic.__file__))
    install_capture()
    return {
        "alembicVersion": alembic.__version__,
        "sqlalchemyVersion": sqlalchemy.__version__,
        "pythonVersion": sys.version.split()[0],
        "url_scheme": url.split("://", 1)[0],
        "heads": list(script.get_heads()),
        "revisions": revisions,
        "importErrors": STATE.import_errors,
        "excluded": STATE.excluded,
    }


class DriverError(Exception):
    pass


def _require_loaded():
    if STATE.script is None:
        raise DriverError("load must be called first")


def _run_command(fn, target, observe=False):
    from alembic import command

    _require_loaded()
    STATE.recording = []
    STATE.pending = []
    STATE.last_error_statement = None
    STATE.capture_s = 0.0
    STATE.observe = observe
    STATE.tx_open = []
    start = time.perf_counter()
    error = None
    error_line = None
    error_revision = None
    error_trace = None
    try:
        getattr(command, fn)(STATE.cfg, target)
    except (Exception, SystemExit) as exc:
        error = _error_text(exc)
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
            _close_locks(STATE.tx_open, time.perf_counter())
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

    _require_loaded()
    engine = create_engine(STATE.url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn)
            return {"revisions": list(ctx.get_current_heads())}
    finally:
        engine.dispose()


def cmd_set_url(req):
    """Points the loaded project at another database of the same server (the empty copy a
    failure on seeded tables is verified on); the next command connects there."""
    _require_loaded()
    url = _with_scheme(req["database_url"], STATE.url.split("://", 1)[0])
    STATE.cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    os.environ[STATE.url_env or "DATABASE_URL"] = url
    STATE.url = url
    return {}


def cmd_heads(_req):
    _require_loaded()
    return {"heads": list(STATE.script.get_heads())}


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

    _require_loaded()
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
    for raw in _PROTO_IN:
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
                    "error": _error_text(exc),
                    "errorType": type(exc).__name__,
                    "traceback": "".join(
                        traceback.format_exception(type(exc), exc, exc.__traceback__)
                    )[-4000:],
                }
            )
    _PROTO_OUT.flush()


if __name__ == "__main__":
    try:
        import alembic  # noqa: F401
    except ImportError as exc:
        send({"event": "fatal", "kind": "no-alembic", "error": str(exc)})
        sys.exit(3)
    main()
