// Lets a child `node` process run this repo's TypeScript directly (tests spawn such children
// to send them signals): sources import './x.js' for files that exist as './x.ts'.
// Use: node --experimental-transform-types --import ./test/helpers/ts-hooks.mjs script.ts
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (specifier.startsWith('.') && specifier.endsWith('.js')) {
        return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
      }
      throw error;
    }
  },
});
