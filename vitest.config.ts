import { defineConfig } from 'vitest/config';

/**
 * The round-trip tests again on other PostgreSQL majors than this machine's (15 from Debian's
 * packages): local servers from the builds the local provider fetches
 * (src/database/postgres-builds.ts; scripts/setup-test-env.sh fetches them beforehand).
 * `--project default` runs the suite once, on this machine's PostgreSQL only.
 */
export const ROUND_TRIP_MAJORS = [13, 16, 18];
const roundTripFiles = [
  'test/integration/roundtrip/roundtrip.test.ts',
  'test/integration/roundtrip/populated.test.ts',
  'test/integration/roundtrip/snapshot.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start PostgreSQL servers and containers: two files at a time fit a
    // two-core CI runner.
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts', 'rules/**/*.test.ts'] } },
      ...ROUND_TRIP_MAJORS.map((major) => ({
        extends: true,
        test: {
          name: `postgres-${major}`,
          include: roundTripFiles,
          env: { MIGRATION_GUARD_TEST_PG_MAJOR: String(major) },
        },
      })),
    ],
  },
});
