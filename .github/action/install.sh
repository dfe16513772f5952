#!/usr/bin/env bash
# The action's install step: puts runt in INPUT_INSTALL_DIR, either the
# release binary (its .sha256 checked before anything is installed) or one
# built from the action's own sources. Inputs arrive as INPUT_* variables,
# as the composite action passes them; runnable by hand the same way.
set -euo pipefail

fail() { echo "runt action: $*" >&2; exit 1; }

# fetch URL FILE: one line naming the URL and curl's reason when it fails.
fetch() {
  local err
  err=$(curl -fsSL -o "$2" "$1" 2>&1) || fail "base-url: cannot download $1: ${err#curl: }"
}

install_dir=${INPUT_INSTALL_DIR:-/usr/local/bin}
from_source=${INPUT_FROM_SOURCE:-false}
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo

# runt generates x86-64 code for every container it starts: there is no other release.
case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  *) fail "runt runs on x86-64 only, this runner is $(uname -m)" ;;
esac

case "$from_source" in
  true)
    src=${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/../.." && pwd)}
    # The README's commands: Deno, Bun and zod from npm, then the single binary.
    make -C "$src" build
    $sudo install -D -m 0755 "$src/dist/runt" "$install_dir/runt"
    ;;
  false)
    version=${INPUT_VERSION:-}
    base=${INPUT_BASE_URL:-}
    repo_url="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_ACTION_REPOSITORY:-${GITHUB_REPOSITORY:-}}"
    [ -n "$base" ] || base="$repo_url/releases/download"
    if [ -z "$version" ] || [ "$version" = latest ]; then
      # A pinned action (uses: owner/runt@v1.2.3) installs the release it is.
      if [[ "${GITHUB_ACTION_REF:-}" =~ ^v[0-9] ]]; then
        version=${GITHUB_ACTION_REF#v}
      else
        # GitHub answers /releases/latest with a redirect to /releases/tag/vX.Y.Z.
        tag=$(curl -fsSL -o /dev/null -w '%{url_effective}' "$repo_url/releases/latest") || fail "version: cannot find the latest release at $repo_url/releases/latest"
        version=${tag##*/v}
        [[ "$version" =~ ^[0-9] ]] || fail "version: $repo_url has no release yet; set version or from-source: true"
      fi
    fi
    version=${version#v}
    name="runt-$version-linux-$arch"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    fetch "$base/v$version/$name" "$tmp/$name"
    fetch "$base/v$version/$name.sha256" "$tmp/$name.sha256"
    want=$(cut -d' ' -f1 "$tmp/$name.sha256")
    got=$(sha256sum "$tmp/$name" | cut -d' ' -f1)
    [ "$want" = "$got" ] || fail "checksum mismatch for $name: $name.sha256 says $want, the download is $got; nothing installed"
    $sudo install -D -m 0755 "$tmp/$name" "$install_dir/runt"
    ;;
  *) fail "from-source: expected true or false, got \"$from_source\"" ;;
esac

"$install_dir/runt" --version | head -2
[ -z "${GITHUB_OUTPUT:-}" ] || echo "path=$install_dir/runt" >> "$GITHUB_OUTPUT"
[ -z "${GITHUB_PATH:-}" ] || echo "$install_dir" >> "$GITHUB_PATH"
