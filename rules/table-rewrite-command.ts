import {
  alterTableOf,
  as,
  findingAt,
  isExistingRelation,
  q,
  relationName,
  type Rule,
  type RuleFinding,
  type SqlRuleContext,
} from '../src/lint/api.js';

/** ALTER TABLE/INDEX subcommands that copy the relation to new files under ACCESS EXCLUSIVE. */
const REWRITING_SUBCOMMANDS: Record<string, string> = {
  AT_SetTableSpace: 'SET TABLESPACE copies it to the new tablespace',
  AT_SetLogged: 'SET LOGGED rewrites it into the write-ahead log',
  AT_SetUnLogged: 'SET UNLOGGED rewrites it',
};

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'table-rewrite-command',
    kind: 'sql',
    defaultSeverity: 'error',
    summary:
      'VACUUM FULL, CLUSTER or ALTER TABLE … SET TABLESPACE / SET [UN]LOGGED rewrites an existing table under ACCESS EXCLUSIVE.',
    help: 'Run maintenance outside migrations, with an online tool (pg_repack, pg_squeeze) or in a maintenance window.',
  },
  check(ctx) {
    const out: RuleFinding[] = [];
    const existing = (name: string, seq: number): boolean => isExistingRelation(ctx, name, seq);
    for (const stmt of ctx.statements) {
      const vacuum = as(stmt.node, 'VacuumStmt');
      if (vacuum?.is_vacuumcmd) {
        const full = (vacuum.options ?? []).some((o) => as(o, 'DefElem')?.defname === 'full');
        if (!full) continue;
        const rels = (vacuum.rels ?? []).map((r) => relationName(as(r, 'VacuumRelation')?.relation));
        const hit = rels.filter((r) => existing(r, stmt.seq));
        if (rels.length === 0 || hit.length > 0) {
          const what = rels.length === 0 ? 'every table of the database' : hit.map(q).join(', ');
          out.push(
            findingAt(
              ctx,
              stmt,
              `VACUUM FULL rewrites ${what} into new files under ACCESS EXCLUSIVE: no read or write gets through until the copy ends, and it needs the table's size again in free disk`,
            ),
          );
        }
        continue;
      }
      const cluster = as(stmt.node, 'ClusterStmt');
      if (cluster) {
        const table = relationName(cluster.relation);
        if (table === '' || existing(table, stmt.seq)) {
          const what = table === '' ? 'every previously clustered table' : q(table);
          out.push(
            findingAt(
              ctx,
              stmt,
              `CLUSTER rewrites ${what} in index order under ACCESS EXCLUSIVE: reads and writes wait until the copy ends`,
            ),
          );
        }
        continue;
      }
      if (as(stmt.node, 'AlterTableMoveAllStmt')) {
        out.push(
          findingAt(
            ctx,
            stmt,
            'ALTER … ALL IN TABLESPACE … SET TABLESPACE copies every matching relation under ACCESS EXCLUSIVE',
          ),
        );
        continue;
      }
      const alter = as(stmt.node, 'AlterTableStmt');
      const relation = alter ? relationName(alter.relation) : '';
      if (!alter || !existing(relation, stmt.seq)) continue;
      const cmds =
        alterTableOf(stmt)?.cmds ?? (alter.cmds ?? []).flatMap((n) => as(n, 'AlterTableCmd') ?? []);
      for (const cmd of cmds) {
        const why = REWRITING_SUBCOMMANDS[cmd.subtype ?? ''];
        if (!why) continue;
        out.push(
          findingAt(
            ctx,
            stmt,
            `${why} — existing ${q(relation)} is copied under ACCESS EXCLUSIVE, blocking reads and writes until done`,
          ),
        );
      }
    }
    return out;
  },
};
