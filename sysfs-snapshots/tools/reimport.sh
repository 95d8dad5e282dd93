#!/bin/sh
# Re-imports every sysfs-snapshots/imported/X.yaml from reports/X.txt (or
# lspci-vv/X.txt) with the
# source line it already names, reproducibly (SOURCE_DATE_EPOCH fixes
# `created`).  The report's '#' header (source, licence, the expected verdict:
# ours, not the poster's) is left out, as `make accuracy` leaves it out.  Run
# after a change to `gpudiag import`:
#   sh sysfs-snapshots/tools/reimport.sh build/gpudiag
set -eu
gpudiag=${1:-build/gpudiag}
here=$(dirname "$0")/..
body=$(mktemp)
trap 'rm -f "$body"' EXIT
for bundle in "$here"/imported/*.yaml; do
        name=$(basename "$bundle" .yaml)
        source=$(sed -n 's/^  source: "\(.*\)"$/\1/p' "$bundle" | head -n 1 | sed 's/\\"/"/g')
        text="$here/reports/$name.txt"
        [ -e "$text" ] || text="$here/lspci-vv/$name.txt"    # the lspci -vv library
        awk 'body || !/^#/ { body = 1; print }' "$text" > "$body"
        SOURCE_DATE_EPOCH=1764115200 "$gpudiag" import -q "$body" \
                --source "$source" -o "$bundle" 2>/dev/null
done
