import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'volatile-default';

const invalid: LintCase[] = [
  [
    'gen_random_uuid()',
    ['ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()'],
    {},
    { lines: [10], message: /volatile gen_random_uuid\(\)/ },
  ],
  [
    'clock_timestamp() cast',
    ['ALTER TABLE users ADD COLUMN seen timestamptz NOT NULL DEFAULT clock_timestamp()::timestamptz'],
    {},
    { lines: [10], message: /clock_timestamp/ },
  ],
  [
    'constant default before PG 11',
    ['ALTER TABLE users ADD COLUMN active boolean DEFAULT true'],
    { serverVersionNum: 100021 },
    { lines: [10], message: /before PostgreSQL 11.*server 10\.21/ },
  ],
  ['serial column', ['ALTER TABLE users ADD COLUMN n bigserial'], {}, { lines: [10], message: /serial/ }],
];

const valid: LintCase[] = [
  [
    'constant default on PG 11+',
    ['ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true'],
    { serverVersionNum: 110000 },
    { lines: [], message: /./ },
  ],
  [
    'now() is stable: evaluated once on PG 11+',
    ['ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now()'],
    {},
    { lines: [], message: /./ },
  ],
  [
    'table created in the same revision',
    ['CREATE TABLE t (a int)', 'ALTER TABLE t ADD COLUMN id uuid DEFAULT gen_random_uuid()'],
    {},
    { lines: [], message: /./ },
  ],
  [
    'DEFAULT NULL before PG 11',
    ['ALTER TABLE users ADD COLUMN a int DEFAULT NULL'],
    { serverVersionNum: 100021 },
    { lines: [], message: /./ },
  ],
];

describe(RULE, () => {
  it.each(invalid)('flags: %s', async (_name, specs, options, expected) => {
    const found = await findingsOf(RULE, specs, options);
    expect(found.map((f) => f.finding.line)).toEqual(expected.lines);
    for (const f of found) {
      expect(f.finding.message).toMatch(expected.message);
      expect(f.finding.file).toBe('migrations/versions/abc123_change.py');
      expect(f.revision).toBe('abc123');
    }
  });

  it.each(valid)('accepts: %s', async (_name, specs, options) => {
    expect(await findingsOf(RULE, specs, options)).toEqual([]);
  });
});
