#!/usr/bin/env bash
# Go programs the load suite and the scale-out tests run, built from the Go module proxy into a
# project-local, git-ignored folder (MINIAPP_TOOLS_DIR, default ./.tools), once per pinned version.
#
#   scripts/go-tools.sh vegeta     print the path of vegeta (installed with `go install` when missing)
#   scripts/go-tools.sh weed       print the path of SeaweedFS's `weed` (built when missing, ~6 min)
#   scripts/go-tools.sh dir        print the tools folder
#
# Progress goes to stderr; stdout carries only the path, so `vegeta=$(scripts/go-tools.sh vegeta)` works.
# Nothing is fetched from anywhere but the Go module proxy: `direct` (a VCS download) is taken out of
# GOPROXY, and GOTOOLCHAIN=local keeps Go from fetching a newer toolchain.
set -euo pipefail

# vegeta (MIT): the load engine. Open-model constant-rate attacks, HDR histograms, JSON reports, plots.
readonly vegeta_module=github.com/tsenart/vegeta/v12
readonly vegeta_version=v12.13.0
# SeaweedFS (Apache-2.0): a real S3-compatible server. Its go.mod has a replace directive, so
# `go install module@version` is refused; the module is downloaded and built in a copy instead.
readonly weed_module=github.com/seaweedfs/seaweedfs
readonly weed_version=v0.0.0-20261109003541-7506e5f91cd6

root=$(cd "$(dirname "$0")/.." && pwd)
tools=${MINIAPP_TOOLS_DIR:-$root/.tools}

say() { echo "go-tools: $*" >&2; }
die() {
  say "$*"
  exit 1
}

usage() {
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

go_env() {
  command -v go >/dev/null 2>&1 || die "Go is not installed; install Go 1.22 or later (Debian: apt-get install golang)"
  local proxy
  proxy=$(go env GOPROXY | tr ',|' '\n\n' | grep -v -x -e direct -e off -e '' | paste -sd, - || true)
  [ -n "$proxy" ] || die "GOPROXY names no module proxy ($(go env GOPROXY)); set GOPROXY to one"
  export GOPROXY=$proxy GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:-} -modcacherw"
}

vegeta() {
  local bin=$tools/bin/vegeta-$vegeta_version
  if [ ! -x "$bin" ]; then
    go_env
    mkdir -p "$tools/bin"
    say "installing vegeta $vegeta_version from the Go module proxy into $tools (about 1.5 min the first time)"
    local gobin
    gobin=$(mktemp -d "$tools/gobin.XXXXXX")
    GOBIN=$gobin go install "$vegeta_module@$vegeta_version" >&2 || {
      rm -rf "$gobin"
      die "go install $vegeta_module@$vegeta_version failed"
    }
    mv "$gobin/vegeta" "$bin"
    rm -rf "$gobin"
  fi
  echo "$bin"
}

weed() {
  local bin=$tools/bin/weed-$weed_version
  if [ ! -x "$bin" ]; then
    go_env
    mkdir -p "$tools/bin"
    say "building SeaweedFS $weed_version from the Go module proxy into $tools (about 6 min and 3 GB of memory the first time)"
    local started=$SECONDS dir source
    dir=$(go mod download -json "$weed_module@$weed_version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    [ -n "$dir" ] && [ -d "$dir" ] || die "go mod download $weed_module@$weed_version gave no module folder"
    source=$(mktemp -d "$tools/weed-src.XXXXXX")
    # The module cache is read-only and must stay pristine: build in a writable copy.
    cp -R "$dir/." "$source/"
    chmod -R u+w "$source"
    (cd "$source" && go build -o "$bin.partial" ./weed) >&2 || {
      rm -rf "$source" "$bin.partial"
      die "go build ./weed failed"
    }
    mv "$bin.partial" "$bin"
    rm -rf "$source"
    say "built weed in $((SECONDS - started)) s"
  fi
  echo "$bin"
}

command=${1:-}
case "$command" in
  vegeta) vegeta ;;
  weed) weed ;;
  dir) echo "$tools" ;;
  *) usage ;;
esac
