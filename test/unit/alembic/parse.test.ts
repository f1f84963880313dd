import { describe, expect, it } from 'vitest';
import { parseRevisionSource } from '../../../src/alembic/parse.js';
import { revisionFile } from '../../helpers/git-repo.js';

const parse = (src: string) => parseRevisionSource(src, '/repo/versions/x.py', 'versions/x.py');

describe('parseRevisionSource identifiers', () => {
  it.each([
    ['plain strings', `revision = 'a1'\ndown_revision = "b2"\n`, 'a1', ['b2']],
    ['None parent', `revision = 'a1'\ndown_revision = None\n`, 'a1', []],
    ['merge tuple', `revision = 'm1'\ndown_revision = ('a1', 'b2')\n`, 'm1', ['a1', 'b2']],
    [
      'merge list, multi-line, trailing comma',
      `revision = 'm1'\ndown_revision = [\n  'a1',\n  'b2',\n]\n`,
      'm1',
      ['a1', 'b2'],
    ],
    ['one-tuple', `revision = 'm1'\ndown_revision = ('a1',)\n`, 'm1', ['a1']],
    ['parenthesized string', `revision = ('a1')\ndown_revision = ('b2')\n`, 'a1', ['b2']],
    [
      'annotated',
      `revision: str = 'a1'\ndown_revision: Union[str, Sequence[str], None] = 'b2'\n`,
      'a1',
      ['b2'],
    ],
    [
      'raw and u prefixes, concatenation',
      `revision = r'a' u"1"\ndown_revision = 'b' \\\n  '2'\n`,
      'a1',
      ['b2'],
    ],
    ['triple-quoted id', `revision = """a1"""\ndown_revision = None\n`, 'a1', []],
  ])('%s', (_name, src, revision, down) => {
    const p = parse(src);
    expect(p.revision).toBe(revision);
    expect(p.downRevisions).toEqual(down);
    expect(p.needsPython).toBe(false);
  });

  it.each([
    ['computed id', `revision = 'a' + 'b'\ndown_revision = None\n`],
    ['f-string', `x = 1\nrevision = f"a{x}"\ndown_revision = None\n`],
    ['a name', `from ids import REV\nrevision = REV\ndown_revision = None\n`],
    ['computed parent', `revision = 'a1'\ndown_revision = make()\n`],
  ])('%s needs Python', (_name, src) => {
    expect(parse(src).needsPython).toBe(true);
  });

  it('ignores assignments that are not at module level and the last one wins', () => {
    const p = parse(
      `revision = 'old'\nif False:\n    revision = 'nested'\nrevision = 'a1'\ndown_revision = None\n`,
    );
    expect(p.revision).toBe('a1');
    expect(p.revisionLine).toBe(4);
  });

  it('reads branch_labels and depends_on', () => {
    const p = parse(`revision = 'a1'\ndown_revision = None\nbranch_labels = ('auth',)\ndepends_on = 'b2'\n`);
    expect(p.branchLabels).toEqual(['auth']);
    expect(p.dependsOn).toEqual(['b2']);
  });

  it('does not take strings inside comments or other strings as assignments', () => {
    const p = parse(
      `"""revision = 'fake'"""\n# revision = 'fake2'\nrevision = 'a1'  # revision = 'fake3'\ndown_revision = None\n`,
    );
    expect(p.revision).toBe('a1');
    expect(p.docstring).toBe("revision = 'fake'");
  });

  it('reads files with a byte-order mark and CRLF line ends', () => {
    const p = parse(
      '\uFEFF"""add x"""\r\nrevision = \'a1\'\r\ndown_revision = None\r\n\r\ndef upgrade():\r\n    op.drop_table(\'t\')\r\n',
    );
    expect(p).toMatchObject({ revision: 'a1', message: 'add x', revisionLine: 2 });
    expect(p.opCalls[0]).toMatchObject({ name: 'drop_table', line: 6, text: "op.drop_table('t')" });
  });

  it('reports a tokenizer error as needing Python', () => {
    const p = parse(`revision = 'a1\ndown_revision = None\n`);
    expect(p.parseError).toMatch(/unterminated string/);
    expect(p.needsPython).toBe(true);
  });
});

describe('parseRevisionSource docstring, bodies and op calls', () => {
  const src = revisionFile({
    id: 'a1',
    down: null,
    message: 'add users email index',
    upgrade: [
      "op.create_index('ix_users_email', 'users', ['email'], unique=False)",
      'op.create_foreign_key(None, "orders", "users", ["user_id"], ["id"])',
      'if True:',
      "    op.execute('''",
      '        UPDATE users SET x = 1',
      "    ''')",
    ].join('\n'),
    downgrade: "op.drop_index('ix_users_email', table_name='users')",
  });

  it('takes the message from the docstring first line', () => {
    const p = parse(src);
    expect(p.message).toBe('add users email index');
    expect(p.docstring).toMatch(/^add users email index\n\nRevision ID: a1/);
  });

  it('finds every op call with line, keywords and positional arguments', () => {
    const p = parse(src);
    const lines = src.split('\n');
    expect(p.opCalls.map((c) => [c.name, c.function])).toEqual([
      ['create_index', 'upgrade'],
      ['create_foreign_key', 'upgrade'],
      ['execute', 'upgrade'],
      ['drop_index', 'downgrade'],
    ]);
    for (const c of p.opCalls) expect(lines[c.line - 1]).toContain(`op.${c.name}(`);
    const [index, fk, execute] = p.opCalls;
    expect(index?.keywords).toEqual(['unique']);
    expect(index?.positional).toEqual(["'ix_users_email'", "'users'", "['email']"]);
    expect(fk?.positional[0]).toBe('None');
    expect(execute?.endLine).toBe((execute?.line ?? 0) + 2);
    expect(execute?.text).toContain('UPDATE users SET x = 1');
  });

  it('gives upgrade and downgrade line ranges', () => {
    const p = parse(src);
    const lines = src.split('\n');
    expect(lines[(p.upgrade?.defLine ?? 0) - 1]).toBe('def upgrade():');
    expect(lines[(p.upgrade?.endLine ?? 0) - 1]).toContain("''')");
    expect(lines[(p.downgrade?.startLine ?? 0) - 1]).toContain('op.drop_index');
    expect(p.upgrade?.empty).toBe(false);
  });

  it('normalizes bodies: comments, blank lines, quotes, wrapping and trailing commas do not matter', () => {
    const a = parse(`def upgrade():\n    op.add_column('t', sa.Column('c', sa.Integer()))\n`);
    const b = parse(
      `def upgrade():\n    # add c\n\n    op.add_column(\n        "t",\n        sa.Column("c", sa.Integer()),  # why\n    )\n`,
    );
    const c = parse(`def upgrade():\n    op.add_column('t', sa.Column('c', sa.BigInteger()))\n`);
    expect(a.upgrade?.normalized).toBe(b.upgrade?.normalized);
    expect(a.upgrade?.normalized).not.toBe(c.upgrade?.normalized);
  });

  it('a one-line body equals the same body as a block', () => {
    expect(parse('def downgrade(): pass\n').downgrade?.normalized).toBe(
      parse('def downgrade():\n    pass\n').downgrade?.normalized,
    );
  });
});

describe('empty downgrade detection', () => {
  it.each([
    ['pass', 'def downgrade():\n    pass\n', true, null],
    ['ellipsis', 'def downgrade() -> None:\n    ...\n', true, null],
    ['one line', 'def downgrade(): pass\n', true, null],
    [
      'autogenerate markers only',
      'def downgrade():\n    # ### commands auto generated by Alembic - please adjust! ###\n    pass\n    # ### end Alembic commands ###\n',
      true,
      null,
    ],
    [
      'comment reason',
      'def downgrade():\n    # irreversible: the old values are gone\n    pass\n',
      true,
      'irreversible: the old values are gone',
    ],
    [
      'docstring reason',
      'def downgrade():\n    """Data migration, nothing to undo."""\n',
      true,
      'Data migration, nothing to undo.',
    ],
    ['real body', "def downgrade():\n    op.drop_table('t')\n", false, null],
    ['nested pass', 'def downgrade():\n    if x:\n        pass\n', false, null],
  ])('%s', (_name, body, empty, reason) => {
    const p = parse(`revision = 'a1'\ndown_revision = None\n\n${body}\n\n# a trailing comment at column 0\n`);
    expect(p.downgrade?.empty).toBe(empty);
    expect(p.downgrade?.reason).toBe(reason);
  });
});

describe('header-only parsing', () => {
  const src = revisionFile({ id: 'a1', down: 'z0', message: 'add_t_x', upgrade: "op.create_table('t')" });

  it('reads the identifiers and docstring but not the bodies', () => {
    const p = parseRevisionSource(src, '/x.py', 'x.py', { headerOnly: true });
    expect(p).toMatchObject({
      complete: false,
      revision: 'a1',
      downRevisions: ['z0'],
      message: 'add_t_x',
      upgrade: null,
      opCalls: [],
    });
  });

  it('falls back to a full parse when the identifiers come after a def', () => {
    const late = `"""late ids"""\ndef upgrade():\n    pass\n\nrevision = 'a1'\ndown_revision = None\n`;
    const p = parseRevisionSource(late, '/x.py', 'x.py', { headerOnly: true });
    expect(p.complete).toBe(true);
    expect(p.revision).toBe('a1');
  });
});
