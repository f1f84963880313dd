import { as, findingAt, q, type Rule, type SqlRuleContext } from '../src/lint/api.js';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'drop-database',
    kind: 'sql',
    defaultSeverity: 'error',
    summary: 'DROP DATABASE in a migration destroys a whole database and cannot be undone by a downgrade.',
    help: 'Drop databases by hand (or in infrastructure code), never from a revision.',
  },
  check(ctx) {
    const created = new Set<string>();
    return ctx.statements.flatMap((stmt) => {
      const create = as(stmt.node, 'CreatedbStmt');
      if (create?.dbname) created.add(create.dbname);
      const drop = as(stmt.node, 'DropdbStmt');
      if (!drop?.dbname || created.has(drop.dbname)) return [];
      return [
        findingAt(
          ctx,
          stmt,
          `DROP DATABASE ${q(drop.dbname)}: every table and row in it is gone, clients connected to it break, and no downgrade brings it back`,
        ),
      ];
    });
  },
};
