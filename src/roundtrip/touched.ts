/**
 * Which tables' rows a revision's steps may have changed, so the populated round trip copies
 * and compares only those (issue "populated database", item 4: the data work must not grow
 * with the number of tables in the schema).
 *
 * Why the locks are enough:
 * - PostgreSQL locks every relation whose rows a statement inserts, updates or deletes (ROW
 *   EXCLUSIVE at least), every relation whose definition it changes (SHARE … ACCESS EXCLUSIVE)
 *   and every table it truncates (ACCESS EXCLUSIVE). The lock belongs to the backend's
 *   transaction, not to the statement text: a trigger, a rule, a foreign key's ON DELETE
 *   CASCADE, or a function the statement calls runs in the same transaction and locks what it
 *   changes too. Locks are held to the end of the transaction, and the driver reads all of the
 *   session's granted locks (pg_locks) after every statement of a pending revision, so every
 *   relation the transaction changed so far appears in some statement's locks.
 * - Reading a table also reads its inheritance children and partitions, so a lock on a child
 *   counts for each of its ancestors (resolved on the server, pg_inherits).
 *
 * Where the locks cannot be seen, every table is compared (`null` below):
 * - a statement outside a transaction (alembic's autocommit_block, a driver in autocommit): its
 *   locks are released before the driver reads pg_locks;
 * - a lock read that failed (the driver records the relation as `?`);
 * - an enum label renamed (ALTER TYPE … RENAME VALUE): the values of every column of that type
 *   read differently while no table is locked.
 * Not seen at all, as by every other part of the statement capture: changes made by another
 * session (dblink, a second connection the migration opens itself) and statements sent on the
 * raw DB-API cursor, which bypass SQLAlchemy's events (their locks are seen only when a later
 * recorded statement of the same transaction reads pg_locks).
 */
import type pg from 'pg';
import type { SchemaSnapshot } from '../schema/snapshot.js';
import type { RoundTripStep } from './types.js';

/** The relations the steps' statements locked; null when some statement's locks are unknown. */
export function lockedRelations(steps: readonly RoundTripStep[]): Set<string> | null {
  const out = new Set<string>();
  for (const step of steps) {
    for (const st of step.statements) {
      if (st.bookkeeping) continue;
      if (st.inTransaction !== true) return null;
      for (const lock of st.locks) {
        if (lock.relation === '?') return null;
        out.add(lock.relation);
      }
    }
  }
  return out;
}

/** True when an enum of `before` lost a label in `after` (renamed: values read differently). */
export function enumLabelRenamed(before: SchemaSnapshot, after: SchemaSnapshot): boolean {
  for (const [name, labels] of Object.entries(before.enums)) {
    const now = after.enums[name];
    if (now !== undefined && labels.some((l) => !now.includes(l))) return true;
  }
  return false;
}

/**
 * `relations` (labels: `name` in public, `schema.name` elsewhere, as the driver names locks)
 * with every inheritance / partition ancestor of those that still exist.
 */
export async function withAncestors(db: pg.Client, relations: ReadonlySet<string>): Promise<Set<string>> {
  const out = new Set(relations);
  if (relations.size === 0) return out;
  const rows = await db.query<{ label: string }>(
    `with recursive rel(oid) as (
       select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where case when n.nspname = 'public' then c.relname else n.nspname || '.' || c.relname end = any($1::text[])
       union
       select i.inhparent from pg_inherits i join rel on i.inhrelid = rel.oid)
     select case when n.nspname = 'public' then c.relname else n.nspname || '.' || c.relname end as label
       from rel join pg_class c on c.oid = rel.oid join pg_namespace n on n.oid = c.relnamespace`,
    [[...relations]],
  );
  for (const r of rows.rows) out.add(r.label);
  return out;
}
