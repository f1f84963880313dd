import {
  sameObjectName,
  type Consequence,
  type DeployedAppBreak,
  type RoundTripRuleContext,
  type Rule,
  type RuleFinding,
} from '../src/lint/api.js';

export const rule: Rule<RoundTripRuleContext> = {
  meta: {
    id: 'breaks-deployed-app',
    kind: 'roundtrip',
    defaultSeverity: 'error',
    summary:
      "The application deployed from the base branch fails on the migrated schema: its models' select, insert, update or delete is rejected.",
    // A rename the running release fails on: this finding shows the failing query, the rename
    // rule's warning is the same cause.
    explains: ['rename-column', 'rename-table'],
    help: 'Expand, then contract: make the schema change in a form the running release still works with (a server default, the old column kept and copied), and remove the old shape in a later release.',
  },
  explainsConsequence({ subjects, causeSubjects }: Consequence): boolean {
    // The rename of the very column or table this finding's query names.
    return subjects.some((s) => sameObjectName(s, causeSubjects?.[1]));
  },
  check({ deployedApp, relFile }) {
    if (!deployedApp || deployedApp.length === 0) return [];
    return deployedApp.map((b): RuleFinding => {
      const fix = fixFor(b);
      return {
        message: `${whatBreaks(b)} (base commit ${b.commit.slice(0, 12)}): \`${b.statement}\` fails with: ${b.error}`,
        help: fix,
        file: relFile,
        line: b.line,
        statement: b.statement,
        // For the rules that name the same cause (two-step-column-drop, drop-table).
        subjects: [b.kind, b.column === null ? b.table : `${b.table}.${b.column}`],
      };
    });
  },
};

function modelOf(b: DeployedAppBreak): string {
  return b.model ? `model \`${b.model}\` (table \`${b.table}\`)` : `table \`${b.table}\``;
}

function operations(b: DeployedAppBreak): string {
  const ops = b.operations.length > 0 ? b.operations : ['query'];
  if (ops.length === 1) return `every ${ops[0]}`;
  return `every ${ops.slice(0, -1).join(', ')} and ${ops.at(-1) ?? ''}`;
}

function whatBreaks(b: DeployedAppBreak): string {
  const model = modelOf(b);
  const column = `\`${b.table}.${b.column ?? ''}\``;
  switch (b.kind) {
    case 'missing-table':
      return `the running release's ${model} maps a table this migration removes: ${operations(b)} of it fails until the new release is out`;
    case 'missing-column':
      return `the running release's ${model} maps column ${column}, which is gone after this migration${b.renamedTo ? ` (renamed to \`${b.renamedTo}\`)` : ''}: ${operations(b)} of the model fails`;
    case 'not-null':
      return `the running release's ${model} never sends column ${column}, which is NOT NULL without a server default after this migration: every insert of the model fails`;
    case 'type':
      return `the running release's ${model} writes values to column ${column} that it no longer takes after this migration: ${operations(b)} with such a value fails`;
  }
}

function py(name: string): string {
  return JSON.stringify(name);
}

function fixFor(b: DeployedAppBreak): string {
  const table = py(b.table.split('.').at(-1) ?? b.table);
  const column = py(b.column ?? '');
  switch (b.kind) {
    case 'missing-table':
      return `Keep the table while the base release runs: first deploy the code without the model, then drop the table in a later revision. For a rename, create the new table, copy the rows and keep the old one (or a view named \`${b.table}\`) until the release that uses the new name is out.`;
    case 'missing-column': {
      const next = py(b.renamedTo ?? `${b.column ?? 'column'}_new`);
      return [
        'Rename in two releases: in this one add the new column and copy, keep the old one:',
        '',
        `    op.add_column(${table}, sa.Column(${next}, <type of ${b.column ?? 'the column'}>, nullable=True))`,
        `    op.execute('UPDATE ${b.table} SET ${unquoted(next)} = ${b.column ?? ''}')`,
        '',
        `Deploy code that writes both and reads ${next}; in the next release drop the old column: op.drop_column(${table}, ${column}).`,
      ].join('\n');
    }
    case 'not-null':
      return [
        'Give the column a server default so the running release can insert without it (or keep it nullable until the release that sets it is deployed):',
        '',
        `    op.alter_column(${table}, ${column}, server_default=sa.text("<value>"))`,
        '',
        `Set nullable=False once every running release sends ${column}; drop the default then if it is not wanted.`,
      ].join('\n');
    case 'type':
      return `Widen first, narrow later: keep ${column} accepting what the base release writes (add a new column of the new type and copy, as for a rename), and change or drop the old one in a later release.`;
  }
}

function unquoted(jsonString: string): string {
  return jsonString.slice(1, -1);
}
