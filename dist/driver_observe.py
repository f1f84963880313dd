"""What a pending revision's statement did to the storage (see driver_capture.py): which
relations it rewrote (a new relfilenode), which tables it read in full (the transaction's
sequential scans grew), their sizes, and how long its locks were held."""

import json

# What a statement did to the storage and how much it read: relfilenode of every user table and
# index (a new one = rewritten), and the sequential scans / tuples read so far in this
# transaction. Read before and after each observed statement, so it is kept cheap: the
# transaction's scan counters come from the functions pg_stat_xact_user_tables is made of,
# called directly (the view joins pg_class and pg_namespace a second time: about half the
# probe's time), and table sizes are read afterwards only for the tables a statement rewrote or
# scanned (RELATION_SIZES_SQL), not for every table twice per statement.
OBSERVE_SQL = (
    "select coalesce(json_object_agg(rel, json_build_array(fn, scans, tup, kind, oid)), '{}')"
    " from (select case when n.nspname = 'public' then c.relname"
    " else n.nspname || '.' || c.relname end as rel, c.relfilenode as fn,"
    " case when c.relkind <> 'i' then pg_stat_get_xact_numscans(c.oid) else 0 end as scans,"
    " case when c.relkind <> 'i' then pg_stat_get_xact_tuples_returned(c.oid) else 0 end as tup,"
    " c.relkind as kind, c.oid::int8 as oid"
    " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
    " where c.relkind in ('r', 'i', 'm') and n.nspname <> 'information_schema'"
    " and n.nspname !~ '^pg_') x"
)

# Sizes of the given relations (OIDs from OBSERVE_SQL, formatted in as integers: no parameters).
RELATION_SIZES_SQL = "select o, pg_relation_size(o::oid) from unnest(array[{}]::int8[]) o"


def probe_rows(dbapi_conn, sql):
    """Rows of one of our probe queries, run on the migration's own connection (the only one
    that sees its transaction). The cursor is always closed, whatever happens."""
    cur = dbapi_conn.cursor()
    try:
        cur.execute(sql)
        return cur.fetchall()
    finally:
        try:
            cur.close()
        except Exception:
            pass


def observe_probe(dbapi_conn):
    try:
        rows = probe_rows(dbapi_conn, OBSERVE_SQL)
    except Exception:  # no observation rather than a broken migration
        return None
    value = rows[0][0] if rows else {}
    return json.loads(value) if isinstance(value, str) else (value or {})


def observed(before, after, entry, dbapi_conn):
    """rewrote: existing relations with a new relfilenode; scanned: existing tables whose
    sequential scans grew within the transaction (unknown outside one)."""
    if after is None:
        return None
    rewrote = []
    scanned = []
    rows = {}
    tables = {}  # existing tables (relkind r) -> oid
    for rel, (fn, scans, tup, kind, oid) in after.items():
        old = before.get(rel)
        if old is None:
            continue  # created by this statement: nothing existed to rewrite or lock
        if fn != old[0]:
            rewrote.append(rel)
        if kind == "r":
            tables[rel] = oid
            if entry["inTransaction"] and scans > old[1]:
                scanned.append(rel)
            if tup > old[2]:
                rows[rel] = tup - old[2]
    locked = sorted(
        {l["relation"] for l in entry.get("locks", []) if l["relation"] in before}
    )
    measured = {rel: oid for rel, oid in tables.items() if rel in rewrote or rel in scanned}
    return {
        "rewrote": sorted(rewrote),
        "scanned": sorted(scanned) if entry["inTransaction"] else None,
        "rowsRead": rows,
        "bytes": relation_sizes(dbapi_conn, measured),
        "locked": locked,
        "lockMs": {},
    }


def relation_sizes(dbapi_conn, oids):
    """relation -> bytes of its main fork, for `oids` (relation -> oid)."""
    if not oids:
        return {}
    sql = RELATION_SIZES_SQL.format(",".join(str(int(o)) for o in oids.values()))
    try:
        size_by_oid = {int(o): int(size) for o, size in probe_rows(dbapi_conn, sql)}
    except Exception:  # never break the user's migration because of our probe
        return {}
    return {rel: size_by_oid[int(o)] for rel, o in oids.items() if int(o) in size_by_oid}


def close_locks(entries, end):
    """The transaction ended at `end`: each statement's locks were held from its start."""
    for entry in entries:
        obs = entry.get("observed")
        if not obs:
            continue
        held = round((end - entry["_end"]) * 1000 + entry["durationMs"], 3)
        obs["lockMs"] = {rel: held for rel in obs["locked"]}
        entry.pop("_end", None)
