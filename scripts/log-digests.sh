#!/usr/bin/env bash
# Prints one digest line per scenario file: the sha256 of its event log (`knsim run --log`, every
# request event; diurnal-24h keeps one request in 97 so the log stays near 45 MB), of its `--json`
# results and of its transcript. Run it before and after a change and diff the two outputs: the
# project promises byte-identical logs for the same seed and inputs.
#   scripts/log-digests.sh > /tmp/before.txt; …change…; scripts/log-digests.sh > /tmp/after.txt
#   diff /tmp/before.txt /tmp/after.txt
# Extra arguments are scenario files (default: scenarios/*.yaml and test/results/fixtures/*.yaml).
set -u
export KNSIM_SOURCE=1 # the sources as they are (a build in dist/ may be older)
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
files=("$@")
[ ${#files[@]} -eq 0 ] && files=(scenarios/*.yaml test/results/fixtures/*.yaml)
for f in "${files[@]}"; do
  sample=()
  case "$f" in *diurnal-24h*) sample=(--log-requests 1-in-97) ;; esac
  node bin/knsim.js run "$f" --log "$tmp/log" "${sample[@]}" > "$tmp/out" 2>&1
  code=$?
  node bin/knsim.js run "$f" --json > "$tmp/json" 2>/dev/null
  printf '%s exit=%s log=%s json=%s out=%s\n' "$f" "$code" \
    "$(sha256sum < "$tmp/log" | cut -c1-16)" "$(sha256sum < "$tmp/json" | cut -c1-16)" "$(sha256sum < "$tmp/out" | cut -c1-16)"
done
