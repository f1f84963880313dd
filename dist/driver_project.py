"""Loading the user's Alembic project into the driver (see driver.py): the config, the
script directory with revision files that fail to import left out, and the database URL."""

import os
import re
import sys

from driver_capture import db_error_text, install_capture
from driver_state import STATE


class DriverError(Exception):
    pass


def require_loaded():
    if STATE.script is None:
        raise DriverError("load must be called first")



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


def error_text(exc):
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    orig = getattr(exc, "orig", None)
    if orig is not None:
        return db_error_text(orig)
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
                    "error": error_text(exc),
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




def cmd_set_url(req):
    """Points the loaded project at another database of the same server (the empty copy a
    failure on seeded tables is verified on); the next command connects there."""
    require_loaded()
    url = _with_scheme(req["database_url"], STATE.url.split("://", 1)[0])
    STATE.cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    os.environ[STATE.url_env or "DATABASE_URL"] = url
    STATE.url = url
    return {}


def cmd_heads(_req):
    require_loaded()
    return {"heads": list(STATE.script.get_heads())}

