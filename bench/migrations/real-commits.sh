#!/bin/bash
# The CLI over real commits of the real-corpus projects: how many would the migrations gate block?
#
#   bench/migrations/real-commits.sh <label> <readiness-gates bin> <clones-dir> <out-dir>
#
# Reads bench/migrations/real-commits.txt ("owner+name <sha>" per line: the newest commits that touched
# each project's migrations). Each commit is judged as a pull request from its parent, with only the
# migrations gate enabled; Synapse gets its gates.migrations.paths (a build without that option, e.g.
# `before`, ignores it and is run without). One JSON report per commit in <out-dir>/<label>/.
set -u
label=$1; bin=$2; clones=$3; out=$4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/$label"
plain="$out/only-migrations.yml"
printf 'gates:\n  health: { enabled: false }\n  metrics: { enabled: false }\n  pii: { enabled: false }\n' > "$plain"
synapse="$out/synapse.yml"
cat "$plain" > "$synapse"
printf '  migrations:\n    paths:\n      - glob: synapse/storage/schema/**/delta/**/*.sql\n      - glob: synapse/storage/schema/**/delta/**/*.sql.postgres\n        dialect: postgresql\n      - glob: synapse/storage/schema/**/delta/**/*.sql.sqlite\n        dialect: sqlite\n' >> "$synapse"
while read -r repo sha; do
  cfg=$plain
  [ "$repo" = "element-hq+synapse" ] && [ "$label" != "before" ] && cfg=$synapse
  (cd "$clones/$repo" && node "$bin" check --base "$sha~1" --head "$sha" --cwd . --config "$cfg" --format json --output "$out/$label/$repo-$sha.json" > /dev/null 2>&1)
  echo "$repo $sha exit=$?"
done < "$here/real-commits.txt"
