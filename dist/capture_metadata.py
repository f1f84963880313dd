"""Captures the project's models (env.py's ``target_metadata``) without a database.

Run by src/alembic/base-models.ts in the user's Python, in a git worktree of the base commit,
so the tables and columns are those the application deployed from the base branch maps.

env.py runs in alembic's offline mode (``as_sql``) with ``EnvironmentContext.configure``
replaced: the first ``context.configure(target_metadata=...)`` call records the metadata and
stops env.py before it renders or connects to anything. An env.py that connects first (no
offline branch) fails on the placeholder URL; its module-level ``target_metadata`` is used
then.

Protocol: one JSON request on stdin
  {"configPath": ..., "section": "alembic", "sysPath": [...], "placeholderUrl": ...}
and one line on stdout starting with ``MIGRATION_GUARD_METADATA `` followed by JSON:
  {"tables": {"users": ["id", "email"], "audit.log": [...]}}    models found
  {"tables": null, "reason": "..."}                              no models (and why)
Whatever env.py or the models print goes to stderr.
"""

import json
import os
import sys
import traceback

MARKER = "MIGRATION_GUARD_METADATA "


class _Captured(BaseException):
    """Raised from the patched configure() to stop env.py once the metadata is known.

    A BaseException, so an env.py that wraps its run in ``except Exception`` lets it through.
    """


def _table_name(table):
    schema = table.schema
    if not schema or schema == "public":
        return table.name
    return "%s.%s" % (schema, table.name)


def tables_of(metadata):
    """{table: [column, ...]} of one MetaData or a sequence of them (alembic accepts both)."""
    items = metadata if isinstance(metadata, (list, tuple)) else [metadata]
    out = {}
    for md in items:
        for table in getattr(md, "tables", {}).values():
            out[_table_name(table)] = [column.name for column in table.columns]
    return out


def _one_line(exc, path):
    where = ""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == path:
            where = " (env.py line %d)" % frame.lineno
            break
    text = "%s: %s%s" % (type(exc).__name__, exc, where)
    return text.splitlines()[0] if text else type(exc).__name__


def capture(request):
    metadata, reason = load_metadata(request)
    if metadata is None:
        return {"tables": None, "reason": reason}
    return {"tables": tables_of(metadata)}


def load_metadata(request):
    """(target_metadata, None) from the request's env.py, or (None, why there is none).

    Also used by deploy_probe.py, which runs the same models against the migrated database.
    """
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    sys.path[:0] = request.get("sysPath") or []
    config = Config(request["configPath"], ini_section=request.get("section") or "alembic")
    if not config.get_main_option("sqlalchemy.url"):
        config.set_main_option("sqlalchemy.url", request["placeholderUrl"])
    script = ScriptDirectory.from_config(config)
    env_path = os.path.join(script.dir, "env.py")
    if not os.path.exists(env_path):
        return None, "the base commit has no env.py at %s" % script.dir

    captured = {}
    real_configure = EnvironmentContext.configure

    def configure(self, *args, **kwargs):
        captured["metadata"] = kwargs.get("target_metadata")
        captured["configured"] = True
        raise _Captured()

    EnvironmentContext.configure = configure
    namespace = {"__file__": env_path, "__name__": "migration_guard_env_py"}
    failure = None
    try:
        with EnvironmentContext(config, script, fn=lambda _rev, _context: [], as_sql=True):
            with open(env_path, encoding="utf-8") as f:
                code = compile(f.read(), env_path, "exec")
            try:
                exec(code, namespace)  # noqa: S102 - env.py is what alembic itself would run
            except _Captured:
                pass
            except Exception as exc:  # env.py failed before or instead of configure()
                failure = _one_line(exc, env_path)
    finally:
        EnvironmentContext.configure = real_configure

    metadata = captured["metadata"] if captured.get("configured") else namespace.get("target_metadata")
    if metadata is None:
        if failure is not None:
            return None, "env.py failed on the base commit: %s" % failure
        return None, "env.py passes no target_metadata to context.configure"
    return metadata, None


def main():
    request = json.loads(sys.stdin.read())
    real_stdout = sys.stdout
    # Models and env.py may print; only the result line goes to stdout.
    sys.stdout = sys.stderr
    try:
        result = capture(request)
    except Exception as exc:
        result = {"tables": None, "reason": ("%s: %s" % (type(exc).__name__, exc)).splitlines()[0]}
    real_stdout.write(MARKER + json.dumps(result) + "\n")
    real_stdout.flush()


if __name__ == "__main__":
    main()
