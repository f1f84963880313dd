import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'set-not-null';

const invalid: LintCase[] = [
  [
    'SET NOT NULL on PG 15',
    ['ALTER TABLE users ALTER COLUMN email SET NOT NULL'],
    {},
    { lines: [10], message: /"users"\."email" scans the whole existing table/ },
  ],
  [
    'NOT VALID check never validated',
    [
      'ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID',
      'ALTER TABLE users ALTER COLUMN email SET NOT NULL',
    ],
    {},
    { lines: [11], message: /email/ },
  ],
  [
    'validated check on PG 11 does not help',
    [
      'ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID',
      'ALTER TABLE users VALIDATE CONSTRAINT email_nn',
      'ALTER TABLE users ALTER COLUMN email SET NOT NULL',
    ],
    { serverVersionNum: 110022 },
    { lines: [12], message: /email/ },
  ],
  [
    'PostgreSQL 18: ADD CONSTRAINT … NOT NULL validates at once (a scan)',
    ['ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email'],
    { serverVersionNum: 180001 },
    { lines: [10], message: /^ADD CONSTRAINT … NOT NULL on "users"\."email" scans the whole existing table/ },
  ],
  [
    'check on another column',
    [
      'ALTER TABLE users ADD CONSTRAINT nn CHECK (name IS NOT NULL) NOT VALID',
      'ALTER TABLE users VALIDATE CONSTRAINT nn',
      'ALTER TABLE users ALTER COLUMN email SET NOT NULL',
    ],
    {},
    { lines: [12], message: /email/ },
  ],
];

const valid: LintCase[] = [
  [
    'PostgreSQL 18: ADD CONSTRAINT … NOT NULL … NOT VALID (no scan; VALIDATE takes a weaker lock)',
    [
      'ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email NOT VALID',
      'ALTER TABLE users VALIDATE CONSTRAINT users_email_nn',
    ],
    { serverVersionNum: 180001 },
    { lines: [], message: /./ },
  ],
  [
    'CHECK NOT VALID → VALIDATE → SET NOT NULL on PG 12+',
    [
      'ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID',
      'ALTER TABLE users VALIDATE CONSTRAINT email_nn',
      'ALTER TABLE users ALTER COLUMN email SET NOT NULL',
    ],
    { serverVersionNum: 120003 },
    { lines: [], message: /./ },
  ],
  [
    'table created in the same revision',
    ['CREATE TABLE t (a int)', 'ALTER TABLE t ALTER COLUMN a SET NOT NULL'],
    {},
    { lines: [], message: /./ },
  ],
  ['DROP NOT NULL', ['ALTER TABLE users ALTER COLUMN email DROP NOT NULL'], {}, { lines: [], message: /./ }],
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
