/**
 * Imported first by the bundle, before anything loads libpg-query. V8 tiers the SQL parser's
 * WebAssembly up to TurboFan once it is hot; that compilation alone took ~500 MB of resident
 * memory for a few hundred milliseconds (bench/README.md, "footprint"). Keeping the wasm on
 * the baseline compiler (Liftoff) removes the peak and parses no slower. `runs.using: node24`
 * cannot pass node flags, so they are set here, before the first wasm module is compiled:
 * both tier-up switches are needed (either alone leaves the peak).
 */
import { setFlagsFromString } from 'node:v8';

for (const flag of ['--liftoff-only', '--no-wasm-tier-up', '--no-wasm-dynamic-tiering']) {
  setFlagsFromString(flag);
}
