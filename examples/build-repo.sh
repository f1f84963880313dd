#!/usr/bin/env bash
# Builds the example shop repository with git history in DEST:
#   main       – the base branch (two applied revisions)
#   safe-pr    – adds a revision that follows every rule
#   unsafe-pr  – adds two revisions that lock a hot table, cannot be rolled back cleanly,
#                mix data and schema and have no docstring
set -euo pipefail
here="$(cd "$(dirname "$0")/shop" && pwd)"
dest="${1:?usage: build-repo.sh DEST}"
rm -rf "$dest"
mkdir -p "$dest"
cp -R "$here/base/." "$dest/"
cd "$dest"
git init -q -b main
git -c user.name=example -c user.email=example@example.invalid add -A
git -c user.name=example -c user.email=example@example.invalid commit -qm "shop: users and orders"
for pr in safe unsafe; do
  git checkout -q -b "$pr-pr" main
  cp -R "$here/pull-requests/$pr/." "$dest/"
  git -c user.name=example -c user.email=example@example.invalid add -A
  git -c user.name=example -c user.email=example@example.invalid commit -qm "shop: $pr pull request"
done
git checkout -q main
