/**
 * tokenizeLoosely: the mode of the one Python tokenizer that the ignore-comment reader uses.
 * Offsets are those of the input as given, and input tokenize() rejects still yields tokens.
 */
import { describe, expect, it } from 'vitest';
import { TokenizeError, tokenize, tokenizeLoosely } from '../../../src/python/tokenize.js';

const kinds = (source: string) =>
  tokenizeLoosely(source)
    .filter((t) => t.type !== 'END')
    .map((t) => `${t.type}:${JSON.stringify(t.value)}@${t.line}`);

describe('tokenizeLoosely', () => {
  it('ends an unterminated one-line string at its line end, where tokenize() throws', () => {
    const source = 'x = "abc\ny = 1\n';
    expect(() => tokenize(source)).toThrow(TokenizeError);
    expect(kinds(source)).toEqual([
      'NAME:"x"@1',
      'OP:"="@1',
      'STRING:"\\"abc"@1',
      'NEWLINE:"\\n"@1',
      'NAME:"y"@2',
      'OP:"="@2',
      'NUMBER:"1"@2',
      'NEWLINE:"\\n"@2',
    ]);
  });

  it('runs an unterminated triple-quoted string to the end of the file', () => {
    const tokens = tokenizeLoosely('a = """open\nb\n');
    expect(tokens.find((t) => t.type === 'STRING')).toMatchObject({
      value: '"""open\nb\n',
      line: 1,
      endLine: 3,
    });
  });

  it('accepts an inconsistent dedent, where tokenize() throws', () => {
    const source = 'if x:\n    y = 1\n  z = 2\n';
    expect(() => tokenize(source)).toThrow(/inconsistent dedent/);
    expect(
      tokenizeLoosely(source)
        .filter((t) => t.type === 'NAME')
        .map((t) => t.value),
    ).toEqual(['if', 'x', 'y', 'z']);
  });

  it('keeps offsets of a source with a byte-order mark and CRLF line ends', () => {
    const source = '\uFEFFx = 1\r\n# note\r\n';
    const comment = tokenizeLoosely(source).find((t) => t.type === 'COMMENT');
    expect(comment).toMatchObject({ line: 2, value: '# note\r' });
    expect(source.slice(comment?.start, comment?.end)).toBe('# note\r');
    expect(tokenizeLoosely(source)[0]).toMatchObject({ type: 'NAME', value: 'x', start: 1 });
  });
});
