import { as, findingAt, q, qualifiedName, type Rule, type SqlRuleContext } from '../src/lint/api.js';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'domain-constraint',
    kind: 'sql',
    defaultSeverity: 'error',
    summary:
      'ALTER DOMAIN … ADD CONSTRAINT without NOT VALID (or SET NOT NULL) checks every column of the domain in every table, blocking their writes.',
    help: 'Add the constraint NOT VALID, then run ALTER DOMAIN … VALIDATE CONSTRAINT in a later revision.',
  },
  check(ctx) {
    const created = new Set<string>();
    return ctx.statements.flatMap((stmt) => {
      const create = as(stmt.node, 'CreateDomainStmt');
      if (create) created.add(qualifiedName(create.domainname));
      const alter = as(stmt.node, 'AlterDomainStmt');
      if (!alter) return [];
      const domain = qualifiedName(alter.typeName);
      if (created.has(domain)) return [];
      const con = as(alter.def, 'Constraint');
      const adds = alter.subtype === 'C' && con !== undefined && !con.skip_validation;
      if (!adds && alter.subtype !== 'O') return [];
      const what = alter.subtype === 'O' ? 'SET NOT NULL' : 'ADD CONSTRAINT';
      return [
        findingAt(
          ctx,
          stmt,
          `ALTER DOMAIN ${q(domain)} ${what} checks every stored value of every column of that domain, in every table, and blocks writes to those tables while it does`,
        ),
      ];
    });
  },
};
