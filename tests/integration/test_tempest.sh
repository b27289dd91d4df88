#!/usr/bin/env bash
# Magnum's own API test suite (magnum-tempest-plugin, `api` tests) against our magnum-api, as
# part of every CI run: tests/tempest/run.sh does the work; the skip list and its reasons are in
# tests/tempest/skip-list.txt.
set -euo pipefail
exec bash "$MC_SOURCE_DIR/tests/tempest/run.sh" "$MC_BUILD_DIR"
