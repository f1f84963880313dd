import {
  findCalls,
  keywordArgument,
  lexPython,
  positionalArguments,
  type Consequence,
  type PythonCall,
  type Rule,
  type RuleFinding,
  type SqlRuleContext,
} from '../src/lint/api.js';

/** op / batch_op helpers whose first argument is the constraint name. */
const NAMED_FIRST =
  /(?:^|\.)create_(foreign_key|primary_key|unique_constraint|check_constraint|exclude_constraint)$/;
/** Schema constructors that create a constraint unless given name=. */
const CONSTRUCTORS = /(?:^|\.)(ForeignKey|ForeignKeyConstraint|UniqueConstraint|CheckConstraint)$/;
/** op calls whose arguments build tables or columns. */
const TABLE_BUILDERS = /(?:^|\.)(create_table|add_column)$/;

function isNone(text: string | undefined): boolean {
  return text === undefined || text === 'None';
}

/** Last dotted part of a snapshot key: `public.orders.orders_user_id_fkey` → `orders_user_id_fkey`. */
function lastPart(key: string): string {
  return key.slice(key.lastIndexOf('.') + 1);
}

/**
 * True when every schema difference is about a constraint, or the index of the same name that
 * backs a UNIQUE constraint: what a downgrade that cannot name the constraint leaves behind.
 * Any other difference has a cause of its own and stays a finding of its own.
 */
function onlyConstraints(lines: readonly string[]): boolean {
  const constraints = new Set(
    lines
      .map((l) => /^constraint (\S+?):? /.exec(l)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(lastPart),
  );
  return (
    lines.length > 0 &&
    lines.every((l) => {
      if (l.startsWith('constraint ')) return true;
      const index = /^index (\S+?):? /.exec(l)?.[1];
      return index !== undefined && constraints.has(lastPart(index));
    })
  );
}

function short(call: PythonCall): string {
  return `${call.callee}(…)`;
}

/** The leading string literals of a call as written in the source (`"orders"`, `'user_id'`). */
function literalArguments(source: string, call: PythonCall, count: number): string[] {
  const text = source.slice(call.start, call.end);
  const out: string[] = [];
  const re = /\s*(?:[A-Za-z_]\w*\s*=\s*)?(['"])([^'"\\]*)\1\s*,?/y;
  re.lastIndex = text.indexOf('(') + 1;
  for (let m = re.exec(text); m && out.length < count; m = re.exec(text)) out.push(m[2] ?? '');
  return out;
}

/** Offsets of the body of `def downgrade` (up to the next top-level statement), or null. */
function downgradeRange(code: string): { from: number; to: number } | null {
  const start = /^def\s+downgrade\s*\(/m.exec(code);
  if (!start) return null;
  const rest = code.slice(start.index + start[0].length);
  const next = /^\S/m.exec(rest.slice(rest.indexOf('\n') + 1));
  const to = next ? start.index + start[0].length + rest.indexOf('\n') + 1 + next.index : code.length;
  return { from: start.index, to };
}

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'unnamed-constraint',
    kind: 'sql',
    defaultSeverity: 'warning',
    summary:
      'A constraint created without an explicit name, so PostgreSQL picks one the downgrade has to guess.',
    help: 'Pass an explicit name (name="fk_orders_user_id_users"), or set a naming_convention on your MetaData.',
    // The downgrade cannot drop by name what has no name: it fails or leaves the constraint.
    explains: ['downgrade-failed', 'downgrade-leaves-trace', 'reupgrade-schema-mismatch'],
  },
  explainsConsequence({ rule, subjects }: Consequence): boolean {
    // alembic: "Constraint must have a name"; PostgreSQL: constraint "x" … does not exist.
    if (rule === 'downgrade-failed') return subjects.some((s) => /\bconstraint\b/i.test(s));
    return onlyConstraints(subjects);
  },
  check(ctx) {
    if (ctx.source === null || ctx.namingConvention) return [];
    const src = lexPython(ctx.source);
    // A MetaData naming_convention in the revision itself also makes names deterministic.
    if (/\bnaming_convention\b/.test(src.code)) return [];
    const out: RuleFinding[] = [];
    const at = (call: PythonCall, message: string): RuleFinding => ({
      message,
      revision: ctx.revision,
      file: ctx.file,
      line: call.line,
      statement: null,
    });

    for (const call of findCalls(src, NAMED_FIRST)) {
      const name = keywordArgument(call, 'constraint_name') ?? positionalArguments(call)[0];
      if (isNone(name)) {
        out.push(
          at(
            call,
            `${short(call)} is called with name None: PostgreSQL generates the constraint's name, and op.drop_constraint() in the downgrade needs the exact name`,
          ),
        );
      }
    }

    // Only method calls (op.create_table, batch_op.add_column), not a helper of the same name.
    const builders = findCalls(src, TABLE_BUILDERS).filter((c) => c.callee.includes('.'));
    const inBuilder = (call: PythonCall) => builders.find((b) => b.start < call.start && call.end <= b.end);
    const source = ctx.source;
    const range = downgradeRange(src.code);
    const downgradeDrops = range
      ? findCalls(src, /(?:^|\.)drop_(table|column)$/)
          .filter((c) => c.callee.includes('.') && c.start > range.from && c.end <= range.to)
          .map((c) => ({
            kind: c.callee.endsWith('table') ? 'table' : 'column',
            args: literalArguments(source, c, 2),
          }))
      : [];
    /**
     * A constraint created with its table (or column) that the downgrade drops with the table
     * (or column): the round trip never needs its name, only a later revision changing it does.
     */
    const droppedWithBuilder = (builder: PythonCall): boolean => {
      const [table, column] = literalArguments(source, builder, 1);
      if (table === undefined) return false;
      if (builder.callee.endsWith('create_table'))
        return downgradeDrops.some((d) => d.kind === 'table' && d.args[0] === table);
      const columnName =
        column ?? /Column\(\s*(['"])([^'"]+)\1/.exec(source.slice(builder.start, builder.end))?.[2];
      return downgradeDrops.some(
        (d) => d.kind === 'column' && d.args[0] === table && d.args[1] === columnName,
      );
    };
    const consequence = (builder: PythonCall): string =>
      droppedWithBuilder(builder)
        ? `the downgrade drops it along with the ${builder.callee.endsWith('create_table') ? 'table' : 'column'}, but a later revision that alters or drops this constraint must guess that name`
        : 'the downgrade must drop it by that exact name';
    for (const call of findCalls(src, CONSTRUCTORS)) {
      const builder = inBuilder(call);
      if (!builder) continue;
      if (!isNone(keywordArgument(call, 'name'))) continue;
      out.push(
        at(
          call,
          `${short(call)} inside ${short(builder)} has no name=: PostgreSQL generates the constraint's name (truncated to 63 characters, with a numeric suffix on collisions); ${consequence(builder)}`,
        ),
      );
    }
    for (const column of findCalls(src, /(?:^|\.)Column$/)) {
      const builder = inBuilder(column);
      if (!builder || keywordArgument(column, 'unique') !== 'True') continue;
      out.push(
        at(
          column,
          `${short(column)} with unique=True inside ${short(builder)} creates an unnamed UNIQUE constraint: PostgreSQL generates its name; ${droppedWithBuilder(builder) ? consequence(builder) : 'the downgrade must guess it'}`,
        ),
      );
    }
    return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  },
};
