#!/usr/bin/env bash
# Re-vendors the browser libraries Kenes serves itself (no CDN at run time):
#   Leaflet (maps)  -> kenes/static/vendor/leaflet/
#   htmx            -> kenes/static/vendor/htmx/
# Versions are pinned in package.json / package-lock.json at the repository root.
# Run it only to upgrade; the copied files are committed, so `make demo` never needs npm.
set -euo pipefail

cd "$(dirname "$0")/.."
root="$(pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cp package.json package-lock.json "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)

leaflet="$work/node_modules/leaflet/dist"
htmx="$work/node_modules/htmx.org/dist"
dest="$root/kenes/static/vendor"

rm -rf "$dest/leaflet" "$dest/htmx"
mkdir -p "$dest/leaflet/images" "$dest/htmx"
cp "$leaflet/leaflet.js" "$leaflet/leaflet.css" "$dest/leaflet/"
cp "$leaflet"/images/*.png "$dest/leaflet/images/"
# No source maps are vendored: drop the reference, or the manifest storage looks for the map file.
sed -i "/sourceMappingURL=/d" "$dest/leaflet/leaflet.js"
cp "$work/node_modules/leaflet/LICENSE" "$dest/leaflet/LICENSE"
cp "$htmx/htmx.min.js" "$dest/htmx/"
cp "$work/node_modules/htmx.org/LICENSE" "$dest/htmx/LICENSE"

leaflet_version="$(node -p "require('$work/node_modules/leaflet/package.json').version")"
htmx_version="$(node -p "require('$work/node_modules/htmx.org/package.json').version")"
printf 'leaflet %s\n' "$leaflet_version" > "$dest/leaflet/VERSION"
printf 'htmx.org %s\n' "$htmx_version" > "$dest/htmx/VERSION"
echo "Vendored leaflet $leaflet_version and htmx.org $htmx_version into $dest"
