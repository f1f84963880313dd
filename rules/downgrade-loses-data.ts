import { downgradeLosses, type RoundTripRuleContext, type Rule } from '../src/lint/api.js';

export const rule: Rule<RoundTripRuleContext> = {
  meta: {
    id: 'downgrade-loses-data',
    kind: 'roundtrip',
    defaultSeverity: 'error',
    summary:
      "The downgrade does not give back rows or values that existed after the upgrade (what the upgrade itself dropped is the drop's finding).",
    help: 'Give the data back in downgrade(): copy moved values back before dropping their new home, re-insert deleted rows, undo conversions.',
  },
  check({ revision, relFile, downgradeLine }) {
    const data = revision.data;
    if (!data?.compared) return [];
    // A column or table the upgrade dropped took its values with it: that is the drop's finding.
    return downgradeLosses(revision).map((d) => {
      const what: string[] = [];
      if (d.changed > 0) what.push(`${d.changed} of ${d.rowsBefore} row(s) changed`);
      if (d.missing > 0) what.push(`${d.missing} of ${d.rowsBefore} row(s) gone`);
      const columns = d.columns.length > 0 ? ` in ${d.columns.join(', ')}` : '';
      let example = '';
      if (d.example) {
        const cols = d.columns.length > 0 ? d.columns : Object.keys(d.example.before ?? {});
        const show = (row: Record<string, unknown> | null) =>
          row === null ? 'gone' : cols.map((c) => `${c} = ${JSON.stringify(row[c] ?? null)}`).join(', ');
        example = ` Example: key ${d.example.key}: before ${show(d.example.before)}; after ${show(d.example.after)}.`;
      }
      return {
        message: `downgrade of ${revision.id} does not give ${d.table} back: ${what.join(', ')}${columns}.${example}`,
        file: relFile,
        line: downgradeLine ?? null,
      };
    });
  },
};
