/** A secret that is also a rule id (test/unit/scrub/vocabulary-case.ts). */
import { describe } from 'vitest';
import { vocabularyCases } from './vocabulary-case.js';

describe('a database password "set-not-null"', () => vocabularyCases('set-not-null'));
