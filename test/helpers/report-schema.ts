/**
 * The published JSON Schema of the report (schema/report.schema.json), compiled once with ajv
 * in strict mode, for the tests that check every JSON the tool writes against it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { Report } from '../../src/report/model.js';

const root = path.resolve(import.meta.dirname, '../..');
export const reportSchemaPath = path.join(root, 'schema', 'report.schema.json');
export const reportSchema = JSON.parse(readFileSync(reportSchemaPath, 'utf8')) as Record<string, unknown>;

// ajv is CommonJS: its class is the `default` export of module.exports.
const Ajv2020 = Ajv2020Module.default;
// strict: an unknown keyword or a type the schema does not name is a schema error, not ignored.
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(reportSchema);

/** The schema's complaints about `value` (JSON parsed back), one line each; [] when valid. */
export function reportSchemaErrors(value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`,
  );
}

/** Throws with every complaint unless `value` (an object, or JSON text) is a valid report. */
export function assertValidReport(value: unknown, what = 'report'): void {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  // Through JSON, as a consumer reads it: undefined fields vanish.
  const errors = reportSchemaErrors(JSON.parse(JSON.stringify(parsed)));
  if (errors.length > 0)
    throw new Error(`${what} does not match schema/report.schema.json:\n${errors.join('\n')}`);
}

/** `JSON.parse(text)` of a report the tool wrote, after checking it against the schema. */
export function validReport<T = Report>(text: string, what = 'report'): T {
  assertValidReport(text, what);
  return JSON.parse(text) as T;
}
