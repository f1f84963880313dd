// The single bundle behind dist/index.js (action) and dist/cli.js (CLI). Both entries share
// one bundle because ncc's chunks (from dependencies' dynamic imports) would collide in dist/.
import './wasm-flags.js';
import './esm-shim.js';
export { run as runAction } from './main.js';
export { runCli } from './cli.js';
