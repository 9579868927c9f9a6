#!/usr/bin/env bash
# Fetch the browser libraries the pages use from the npm registry at the pinned versions, copy
# the few files served into src/sidestream/entrypoints/web/static/vendor/<name>/ with each
# package's licence, and rewrite vendor/README.md with versions, the registry's tarball
# integrity and the SHA-256 of every file copied (tests/unit/entrypoints/test_vendor_assets.py
# checks the files against it).
#
# To update: change a version below, run `make vendor-assets`, look at the diff, run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

VENDOR=src/sidestream/entrypoints/web/static/vendor

# name|npm package|version|licence|files to copy (paths inside the package, space-separated)
PACKAGES=(
  "htmx|htmx.org|2.0.11|0BSD|dist/htmx.min.js LICENSE"
  "leaflet|leaflet|1.9.4|BSD-2-Clause|dist/leaflet.js dist/leaflet.css dist/images/layers.png dist/images/layers-2x.png dist/images/marker-icon.png dist/images/marker-icon-2x.png dist/images/marker-shadow.png LICENSE"
  "leaflet.markercluster|leaflet.markercluster|1.5.3|MIT|dist/leaflet.markercluster.js dist/MarkerCluster.css dist/MarkerCluster.Default.css MIT-LICENCE.txt"
  "echarts|echarts|5.6.0|Apache-2.0|dist/echarts.min.js LICENSE NOTICE"
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rows=""
for entry in "${PACKAGES[@]}"; do
  IFS='|' read -r name package version licence files <<<"$entry"
  expected=$(npm view "$package@$version" dist.integrity)
  (cd "$work" && npm pack --silent "$package@$version" >/dev/null)
  tarball=$(ls "$work"/*.tgz)
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [ "$actual" != "$expected" ]; then
    echo "$package@$version: tarball integrity $actual, registry says $expected" >&2
    exit 1
  fi
  mkdir "$work/$name"
  tar -xzf "$tarball" -C "$work/$name"
  rm "$tarball"
  rm -rf "${VENDOR:?}/$name"
  for file in $files; do
    target="$VENDOR/$name/${file#dist/}"
    mkdir -p "$(dirname "$target")"
    install -m 0644 "$work/$name/package/$file" "$target"
    sum=$(sha256sum "$target" | cut -d' ' -f1)
    rows+="| \`$name/${file#dist/}\` | $package | $version | $licence | \`$sum\` |"$'\n'
  done
  integrities+="| $package | $version | $licence | \`$expected\` |"$'\n'
done

cat >"$VENDOR/README.md" <<EOF
# Vendored browser libraries

The pages load these files from the package itself (never a CDN), so sidestream works offline
and under the Content-Security-Policy \`default-src 'self'\`. They are copies of files of the npm
packages below, unchanged; each package's licence file lies beside them.

This file is written by \`scripts/update_vendor_assets.sh\` (\`make vendor-assets\`): to update a
library, change its version in the script, run it, and run the tests
(\`tests/unit/entrypoints/test_vendor_assets.py\` checks every file below against its SHA-256).

## Packages

| npm package | version | licence | tarball integrity (\`npm view <package>@<version> dist.integrity\`) |
|---|---|---|---|
${integrities}
## Files

| file | npm package | version | licence | sha256 |
|---|---|---|---|---|
${rows}
EOF
echo "vendored into $VENDOR"
