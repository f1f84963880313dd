import { describe, expect, it } from 'vitest';
import {
  escapeControl,
  guardCommandLines,
  inertMarkdown,
  maskPasswords,
  scrubOutput,
  scrubReport,
} from '../../../src/scrub.js';
import { passwordsOf, registerSecret } from '../../../src/secrets.js';

// The registry is process-wide; each test registers its own password (vitest isolates files).

describe('maskPasswords', () => {
  it('masks a URL password, also one with a space a user pasted unencoded', () => {
    expect(maskPasswords('could not connect: postgresql://app:s3cret@db:5432/shop')).toBe(
      'could not connect: postgresql://app:***@db:5432/shop',
    );
    expect(maskPasswords('postgresql://app:two words@db/shop')).toBe('postgresql://app:***@db/shop');
  });

  it('masks key/value DSN passwords, quoted ones included', () => {
    expect(maskPasswords('host=db port=5432 user=app password=s3cret dbname=shop')).toBe(
      'host=db port=5432 user=app password=*** dbname=shop',
    );
    expect(maskPasswords("host=db password='it\\'s a secret' dbname=shop")).toBe(
      'host=db password=*** dbname=shop',
    );
    expect(maskPasswords('PGPASSWORD=s3cret psql')).toBe('PGPASSWORD=*** psql');
  });

  it('masks a registered password standing alone, not inside a longer name', () => {
    registerSecret('Kq7hunter');
    expect(maskPasswords('raise Exception: Kq7hunter leaked')).toBe('raise Exception: *** leaked');
    expect(maskPasswords('database "Kq7hunter_test" and table kq7hunter')).toBe(
      'database "Kq7hunter_test" and table kq7hunter',
    );
    expect(maskPasswords('"Kq7hunter"')).toBe('"***"');
  });

  it('masks a registered password with spaces and punctuation, and its URL-encoded form', () => {
    registerSecret('p@ss word!');
    expect(maskPasswords('the password is p@ss word! ok')).toBe('the password is *** ok');
    expect(maskPasswords('url postgresql://u:p%40ss%20word!@h/d')).toBe('url postgresql://u:***@h/d');
    expect(maskPasswords('encoded alone: p%40ss%20word!')).toBe('encoded alone: ***');
  });
});

describe('passwordsOf', () => {
  it('finds the password of a URL and of a key/value DSN, raw and decoded', () => {
    expect(passwordsOf('postgresql://app:p%40ss@db/shop')).toEqual(['p%40ss', 'p@ss']);
    expect(passwordsOf('postgresql://app:two words@db/shop')).toEqual(['two words']);
    expect(passwordsOf("host=db password='a b' user=x")).toEqual(['a b']);
    expect(passwordsOf('postgresql://app@db/shop')).toEqual([]);
  });
});

describe('escapeControl and guardCommandLines', () => {
  it('escapes control characters; names also lose their line breaks', () => {
    expect(escapeControl('ix\n::warning title=x::y')).toBe('ix\\n::warning title=x::y');
    expect(escapeControl('a\u001b[31mred\r\u2028b\u0085')).toBe('a\\x1b[31mred\\r\\u2028b\\x85');
    expect(escapeControl('line 1\r\nline 2\rx', { multiline: true })).toBe('line 1\nline 2\\rx');
  });

  it('no line can start with :: after the white space the runner trims', () => {
    const text = 'ok\n::warning title=x::y\n    ::add-mask::z\n\u00a0\t::stop-commands::t\nsafe :: inside';
    const guarded = guardCommandLines(text);
    for (const line of guarded.split(/\r\n|\r|\n/)) expect(line.trimStart().startsWith('::')).toBe(false);
    expect(guarded).toContain('safe :: inside');
    expect(guarded).toContain('\\::warning title=x::y');
  });

  it('scrubOutput: masked, escaped, guarded', () => {
    registerSecret('zz-secret-1');
    const out = scrubOutput('error: password zz-secret-1\n::error::boom\u001b]8;;x');
    expect(out).toBe('error: password ***\n\\::error::boom\\x1b]8;;x');
  });
});

describe('scrubReport', () => {
  it('masks every string, escapes names fully and keeps line breaks in free text', () => {
    registerSecret('R0leSecret');
    const report = {
      projects: [
        {
          id: 'alembic.ini',
          revisions: [
            {
              id: 'a1\n::warning::x',
              message: 'add\ncolumn',
              findings: [{ message: 'failed: R0leSecret\n::error::y', statement: 'SELECT 1\nFROM t' }],
              steps: [{ error: 'connect postgresql://u:R0leSecret@h/d', durationMs: 3 }],
            },
          ],
        },
      ],
    };
    const scrubbed = scrubReport(report);
    const rev = scrubbed.projects[0]!.revisions[0]!;
    expect(rev.id).toBe('a1\\n::warning::x');
    expect(rev.message).toBe('add\ncolumn');
    expect(rev.findings[0]!.message).toBe('failed: ***\n::error::y');
    expect(rev.findings[0]!.statement).toBe('SELECT 1\nFROM t');
    expect(rev.steps[0]!.error).toBe('connect postgresql://u:***@h/d');
    expect(rev.steps[0]!.durationMs).toBe(3);
    expect(JSON.stringify(scrubbed)).not.toContain('R0leSecret');
    // The input is not modified.
    expect(report.projects[0]!.revisions[0]!.id).toBe('a1\n::warning::x');
  });
});

describe('inertMarkdown', () => {
  it('neutralises mentions, team mentions, issue references, images, links and autolinks', () => {
    const out = inertMarkdown(
      'cc @alice @acme/dba #12 ![x](https://evil.example/p.png) [click](https://evil.example) www.evil.example <img src=x>',
    );
    expect(out).not.toMatch(/@[A-Za-z]/);
    expect(out).not.toMatch(/#\d/);
    expect(out).not.toMatch(/(^|[^\\])\[/);
    expect(out).not.toContain('https://');
    expect(out).not.toMatch(/www\./i);
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;img');
  });
});
