/**
 * Declared irreversibility (issue #14 item 5): a downgrade() that does nothing but raise
 * NotImplementedError, RuntimeError or alembic's CommandError, and says why — in a comment
 * inside downgrade() or in the exception's message. "irreversible" alone says that, not why:
 * such a downgrade is an unexplained failure and stays `downgrade-failed`.
 */
import type { FunctionBody } from './types.js';

export const IRREVERSIBLE_EXCEPTIONS: readonly string[] = [
  'NotImplementedError',
  'RuntimeError',
  'CommandError',
];

/** Words that restate "this cannot be downgraded" without giving a reason. */
const RESTATEMENT = new Set(
  (
    'a an the this that it is be was to of for and or no not never cannot can t cant possible ' +
    'impossible irreversible reversible reverse reversal downgrade downgrades downgrading downgraded ' +
    'rollback roll back undo undone implemented notimplemented notimplementederror supported allowed ' +
    'migration revision operation raise todo fixme'
  ).split(' '),
);

/** True when `text` says why, not only that: at least two words beyond a restatement. */
export function statesReason(text: string | null | undefined): boolean {
  if (!text) return false;
  const words = text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '' && !RESTATEMENT.has(w));
  return words.length >= 2;
}

export interface DeclaredIrreversible {
  exception: string;
  reason: string;
  /** Line of the `raise`. */
  line: number;
}

/** The declaration in a downgrade() body, or null when it raises nothing or gives no reason. */
export function declaredIrreversible(
  downgrade: FunctionBody | null | undefined,
): DeclaredIrreversible | null {
  const raised = downgrade?.raises;
  if (!raised || !IRREVERSIBLE_EXCEPTIONS.includes(raised.exception)) return null;
  const reason = [raised.message, downgrade.reason].find((t) => statesReason(t));
  if (!reason) return null;
  return { exception: raised.exception, reason: reason.replace(/\s+/g, ' ').trim(), line: raised.line };
}
