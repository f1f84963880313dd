"""Reads the identifiers of revision files that are not literals, by importing them.

Run by src/alembic/python.ts in the user's Python when the static parser (src/alembic/parse.ts)
cannot read a file's ``revision`` / ``down_revision`` / ``branch_labels`` / ``depends_on``. One
run loads every such file with alembic's own module loader (``alembic.util.load_python_file``,
what ScriptDirectory uses for each file). A file that fails to import is recorded, not fatal:
the round trip reports the import error on that revision later.

Protocol: one JSON request on stdin
  {"files": ["/abs/versions/a1.py", ...], "sysPath": [...]}
and one line on stdout starting with ``MIGRATION_GUARD_RESOLVED `` followed by a JSON list:
  [{"file": ..., "revision": "a1" | null, "down": [...], "labels": [...], "depends": [...],
    "doc": "..." | null, "error": "ImportError: ... (line 3)" | null}, ...]
Revision files may print: stdout is swapped for stderr while they load so the result line is
the only thing on stdout.
"""

import json
import os
import sys
import traceback

RESULT_MARKER = "MIGRATION_GUARD_RESOLVED "


def as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(x) for x in value if x is not None]
    return [str(value)]


def python_file_loader():
    try:
        from alembic.util import load_python_file
    except Exception:
        import importlib.util
        import re

        def load_python_file(dir_, filename):
            spec = importlib.util.spec_from_file_location(
                re.sub(r"\W", "_", filename), os.path.join(dir_, filename)
            )
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module

    return load_python_file


def first_line_of_error(exc, path):
    """``Type: message (line N)``, N the deepest frame in the revision file itself."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = next((fr for fr in reversed(frames) if fr.filename == path), None)
    line = (" (line %d)" % where.lineno) if where else ""
    return ("%s: %s%s" % (type(exc).__name__, exc, line)).splitlines()[0]


def resolve(path, load_python_file):
    item = {"file": path, "revision": None, "down": [], "labels": [], "depends": [], "doc": None, "error": None}
    try:
        module = load_python_file(os.path.dirname(path), os.path.basename(path))
        revision = getattr(module, "revision", None)
        item["revision"] = None if revision is None else str(revision)
        item["down"] = as_list(getattr(module, "down_revision", None))
        item["labels"] = as_list(getattr(module, "branch_labels", None))
        item["depends"] = as_list(getattr(module, "depends_on", None))
        item["doc"] = module.__doc__
    except BaseException as exc:  # a revision's SystemExit or KeyboardInterrupt is its error too
        item["error"] = first_line_of_error(exc, path)
    return item


def main():
    # The script's own folder is not the project's: put the working directory (the project's
    # config dir) first, as `python -c` would.
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        sys.path[0] = ""
    request = json.loads(sys.stdin.read())
    sys.path[:0] = request["sysPath"]
    real_stdout = sys.stdout
    sys.stdout = sys.stderr
    load_python_file = python_file_loader()
    out = [resolve(path, load_python_file) for path in request["files"]]
    real_stdout.write(RESULT_MARKER + json.dumps(out) + "\n")
    real_stdout.flush()


if __name__ == "__main__":
    main()
