/**
 * Child process for database tests that need a separate process (signals, hidden Docker
 * socket). Run: node --experimental-transform-types --import ./test/helpers/ts-hooks.mjs
 *   test/helpers/database-child.ts <hold|start> '<DatabaseSpec JSON>'
 * hold:  acquire a database (debug log on stderr), print {"url","adminUrl","name","provider","pid"} as one JSON line, wait for a signal.
 * start: acquire, print the provider, dispose; on error print the message on stderr and exit with its exit code.
 */
import type { DatabaseSpec } from '../../src/config.js';
import { acquireDatabase } from '../../src/database/index.js';
import { isMigrationGuardError } from '../../src/errors.js';
import { installSignalHandlers, interruption } from '../../src/lifecycle.js';
import { silentLogger, stderrLogger } from '../../src/log.js';

const [mode, specJson] = process.argv.slice(2);
const spec = JSON.parse(specJson ?? '{}') as DatabaseSpec;
installSignalHandlers();
try {
  // hold: debug lines on stderr let a test act at a known point of startup.
  const log = mode === 'hold' ? stderrLogger({ debug: true }) : silentLogger;
  const db = await acquireDatabase(spec, { log });
  if (mode === 'hold') {
    process.stdout.write(
      `${JSON.stringify({ url: db.url, adminUrl: db.adminUrl, name: db.name, provider: db.provider, pid: process.pid })}\n`,
    );
    setInterval(() => {}, 60_000);
  } else {
    process.stdout.write(`${db.provider}\n`);
    await db.dispose();
  }
} catch (e) {
  // A signal that arrived while the server was starting makes the start fail as its cleanup
  // stops it: the signal handler exits (130/143) once cleanup is done, as in the CLI.
  if (interruption() === null) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(isMigrationGuardError(e) ? e.exitCode : 1);
  }
}
