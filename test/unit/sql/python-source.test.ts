import { describe, expect, it } from 'vitest';
import {
  findCalls,
  keywordArgument,
  lexPython,
  positionalArguments,
  statementAt,
} from '../../../src/python/source.js';

const source = [
  '"""doc # not a comment',
  'op.create_table("x")"""',
  'import sqlalchemy as sa  # trailing',
  '',
  'def upgrade():',
  '    op.add_column(',
  '        "orders",  # inside the call',
  '        sa.Column("a", sa.Integer(), sa.ForeignKey("u.id", name="fk")),',
  '    )',
  "    x = 'it''s' \\",
  '        + "more"',
].join('\n');

describe('lexPython', () => {
  const src = lexPython(source);

  it('finds comments but not text in strings', () => {
    expect(src.comments.map((c) => [c.line, c.text.trim(), c.ownLine])).toEqual([
      [3, 'trailing', false],
      [7, 'inside the call', false],
    ]);
  });

  it('spans multi-line calls and backslash continuations as one statement', () => {
    expect(statementAt(src, 8)).toEqual({ startLine: 6, endLine: 9 });
    expect(statementAt(src, 11)).toEqual({ startLine: 10, endLine: 11 });
    expect(statementAt(src, 1)).toEqual({ startLine: 1, endLine: 2 });
  });

  it('finds calls outside strings with their arguments', () => {
    const calls = findCalls(src, /(^|\.)(create_table|add_column|ForeignKey)$/);
    expect(calls.map((c) => [c.callee, c.line])).toEqual([
      ['op.add_column', 6],
      ['sa.ForeignKey', 8],
    ]);
    const fk = calls[1];
    expect(fk && keywordArgument(fk, 'name')).toBe('"  "');
    expect(fk && positionalArguments(fk)).toEqual(['"    "']);
  });
});
