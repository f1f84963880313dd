/** A secret that is also the tool's name (test/unit/scrub/vocabulary-case.ts). */
import { describe } from 'vitest';
import { vocabularyCases } from './vocabulary-case.js';

describe('a database password "migration-guard"', () => vocabularyCases('migration-guard'));
