/** A secret that is also a short, common password (test/unit/scrub/vocabulary-case.ts). */
import { describe } from 'vitest';
import { vocabularyCases } from './vocabulary-case.js';

describe('a database password "postgres"', () => vocabularyCases('postgres'));
