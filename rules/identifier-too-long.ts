import { findingAt, q, type Rule, type SqlRuleContext, writtenIdentifiers } from '../src/lint/api.js';

/** NAMEDATALEN - 1: PostgreSQL keeps this many bytes of a name. */
const MAX_IDENTIFIER_BYTES = 63;

/** Statements whose names are not stored in the catalog. */
const NOT_DDL = new Set([
  'SelectStmt',
  'InsertStmt',
  'UpdateStmt',
  'DeleteStmt',
  'MergeStmt',
  'CopyStmt',
  'VariableSetStmt',
  'ExplainStmt',
]);

/** The first 63 bytes, not cutting a multi-byte character (PostgreSQL's truncation). */
function truncated(name: string): string {
  let out = '';
  for (const ch of name) {
    if (Buffer.byteLength(out + ch, 'utf8') > MAX_IDENTIFIER_BYTES) break;
    out += ch;
  }
  return out;
}

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'identifier-too-long',
    kind: 'sql',
    defaultSeverity: 'warning',
    summary:
      'An identifier longer than 63 bytes in executed DDL: PostgreSQL silently truncates it, so names can collide and autogenerate keeps proposing the long one.',
    help: 'Shorten the name to 63 bytes or less (for generated names, shorten the naming_convention or pass name= explicitly).',
  },
  check(ctx) {
    return ctx.statements.flatMap((stmt) => {
      if (NOT_DDL.has(stmt.kind)) return [];
      const long = [
        ...new Set(
          writtenIdentifiers(stmt.text, MAX_IDENTIFIER_BYTES + 1).filter(
            (n) => Buffer.byteLength(n, 'utf8') > MAX_IDENTIFIER_BYTES,
          ),
        ),
      ];
      if (long.length === 0) return [];
      const list = long
        .map((n) => `${q(n)} (${Buffer.byteLength(n, 'utf8')} bytes) becomes ${q(truncated(n))}`)
        .join('; ');
      return [
        findingAt(
          ctx,
          stmt,
          `identifier longer than ${MAX_IDENTIFIER_BYTES} bytes, silently truncated by PostgreSQL: ${list}. Two long names with the same start collide, and the model's name never matches the database's, so autogenerate proposes it again`,
        ),
      ];
    });
  },
};
