import {
  as,
  baseMapping,
  type Consequence,
  sameObjectName,
  findingAt,
  q,
  qualifiedName,
  secondStepIgnore,
  type Rule,
  type SqlRuleContext,
} from '../src/lint/api.js';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'drop-table',
    kind: 'sql',
    defaultSeverity: 'error',
    summary:
      'DROP TABLE of an existing table the application deployed from the base branch (without --base: the models at HEAD) still maps (or may map: models unknown).',
    help: 'Stop using the table in a deploy first; drop it in a later revision once nothing reads it (and after a backup).',
    // The running release's queries of the dropped table failing is this drop, seen from the app.
    explains: ['breaks-deployed-app'],
  },
  explainsConsequence: ({ subjects, causeSubjects }: Consequence): boolean =>
    subjects[0] === 'missing-table' && sameObjectName(subjects[1], causeSubjects?.[0]),
  check(ctx) {
    return ctx.statements.flatMap((stmt) => {
      const drop = as(stmt.node, 'DropStmt');
      if (!drop || drop.removeType !== 'OBJECT_TABLE') return [];
      return (drop.objects ?? []).flatMap((obj) => {
        const table = qualifiedName(as(obj, 'List')?.items);
        if (!table || ctx.isNewTable(table, stmt.seq)) return [];
        const mapping = baseMapping(ctx, table);
        // Step two: the base's application (without --base: HEAD's) no longer maps the table.
        if (mapping.kind === 'unmapped') return [];
        if (mapping.kind === 'mapped' && mapping.source === 'head') {
          return [
            findingAt(
              ctx,
              stmt,
              `DROP TABLE ${q(table)}, which the models at HEAD still map (commit ${mapping.commit}; no --base, so HEAD's models were read): an application that maps the table fails on every query of that model once it is gone, and the downgrade cannot bring the rows back`,
              `Remove the model of ${q(table)} and deploy that first; drop the table in a later revision (after a backup). With --base, the drop is judged by the base branch's models.`,
            ),
          ];
        }
        if (mapping.kind === 'mapped') {
          return [
            {
              ...findingAt(
                ctx,
                stmt,
                `DROP TABLE ${q(table)}, which the base branch's models still map (commit ${mapping.commit}): the application deployed from the base is live while this migration runs and fails on every query of that model, and the downgrade cannot bring the rows back`,
                `Remove the model of ${q(table)} and deploy that first; drop the table in a later revision (after a backup).`,
              ),
              subjects: [table],
            },
          ];
        }
        return [
          findingAt(
            ctx,
            stmt,
            `DROP TABLE ${q(table)} deletes an existing table and its data: migration-guard cannot tell whether the application deployed from the base branch still maps it (${mapping.reason}); if it does, every query of that model fails, and the downgrade cannot bring the rows back`,
            `Stop using the table in a deploy first, then drop it in a later revision (after a backup). If that deploy already happened, this is the second step: say so inline, with the reason:${secondStepIgnore('drop-table', `op.drop_table(${JSON.stringify(table)})`)}`,
          ),
        ];
      });
    });
  },
};
