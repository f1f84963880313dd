import {
  baseMapping,
  type Consequence,
  sameObjectName,
  existingTableAlters,
  findingAt,
  q,
  secondStepIgnore,
  type Rule,
  type RuleFinding,
  type SqlRuleContext,
} from '../src/lint/api.js';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'two-step-column-drop',
    kind: 'sql',
    defaultSeverity: 'error',
    summary:
      'DROP COLUMN of a column the application deployed from the base branch (without --base: the models at HEAD) still maps (or may map: models unknown).',
    help: 'First deploy the application without the column (remove it from the model), then drop it in a later revision.',
    // The running release's queries naming the dropped column failing is this drop, seen from the app.
    explains: ['breaks-deployed-app'],
  },
  explainsConsequence: ({ subjects, causeSubjects }: Consequence): boolean =>
    subjects[0] === 'missing-column' && sameObjectName(subjects[1], causeSubjects?.[0]),
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const { stmt, table, cmds } of existingTableAlters(ctx)) {
      for (const cmd of cmds) {
        if (cmd.subtype !== 'AT_DropColumn' || !cmd.name) continue;
        const column = cmd.name;
        const mapping = baseMapping(ctx, table, column);
        // Step two of a two-step drop: the base's application (without --base: HEAD's) no longer maps the column.
        if (mapping.kind === 'unmapped') continue;
        if (mapping.kind === 'mapped' && mapping.source === 'head') {
          out.push(
            findingAt(
              ctx,
              stmt,
              `DROP COLUMN ${q(column)} on ${q(table)}, which the models at HEAD still map (commit ${mapping.commit}; no --base, so HEAD's models were read): an application that maps the column fails on every query of that model once it is gone`,
              `Remove ${q(column)} from the model and deploy that first; drop the column in a later revision. With --base, the drop is judged by the base branch's models.`,
            ),
          );
          continue;
        }
        if (mapping.kind === 'mapped') {
          out.push({
            ...findingAt(
              ctx,
              stmt,
              `DROP COLUMN ${q(column)} on ${q(table)}, which the base branch's models still map (commit ${mapping.commit}): the application deployed from the base is live while this migration runs, and every query of that model names the column and fails until the new release is out`,
              `Remove ${q(column)} from the model and deploy that first; drop the column in a later revision (its pull request's base then no longer maps it).`,
            ),
            subjects: [`${table}.${column}`],
          });
          continue;
        }
        out.push(
          findingAt(
            ctx,
            stmt,
            `DROP COLUMN ${q(column)} on existing table ${q(table)}: migration-guard cannot tell whether the application deployed from the base branch still maps it (${mapping.reason}); if it does, every query of that model names the column and fails until the new release is out`,
            `Remove the column from the model and deploy that first, then drop it in a later revision. If that deploy already happened, this is the second step: say so inline, with the reason:${secondStepIgnore('two-step-column-drop', `op.drop_column(${JSON.stringify(table)}, ${JSON.stringify(column)})`)}`,
          ),
        );
      }
    }
    return out;
  },
};
