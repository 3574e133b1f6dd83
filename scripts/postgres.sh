#!/usr/bin/env bash
# Throwaway PostgreSQL clusters for tests and CI: no system service, localhost only, one directory each.
#
#   scripts/postgres.sh install          install PostgreSQL from Debian's packages when it is missing
#   scripts/postgres.sh start DIR        create (once) and start a cluster in DIR, print its DATABASE_URL
#   scripts/postgres.sh url DIR          print the DATABASE_URL of the cluster in DIR
#   scripts/postgres.sh stop DIR         stop the cluster in DIR (nothing to do when it is not running)
#   scripts/postgres.sh run -- CMD ...   start a cluster in a fresh temporary directory, run CMD with
#                                        DATABASE_URL and TEST_DATABASE_URL set, then stop and delete it;
#                                        exits with CMD's status
#
# Progress goes to stderr; stdout carries only the URL, so `url=$(scripts/postgres.sh start DIR)` works.
set -euo pipefail

readonly database=miniapp
readonly role=miniapp

say() { echo "postgres: $*" >&2; }
die() {
  say "$*"
  exit 1
}

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# The newest server binaries installed by Debian's packages, or initdb on PATH elsewhere.
server_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
    echo "$dir"
  elif command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  fi
}

install_postgres() {
  if [ -n "$(server_bin)" ]; then return 0; fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "PostgreSQL is not installed and this user cannot install it; install the 'postgresql' package"
    sudo=(sudo -n)
  fi
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL is not installed and apt-get is unavailable; install PostgreSQL (initdb, pg_ctl, psql) yourself"
  say "installing PostgreSQL from the distribution's packages"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >&2
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends postgresql postgresql-client </dev/null >&2
  [ -n "$(server_bin)" ] || die "PostgreSQL was installed but initdb was not found under /usr/lib/postgresql"
}

# initdb and postgres refuse to run as root: as root, act as the `postgres` user the package created.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' system user (created by the postgresql package)"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  node -e "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();})"
}

url_of() {
  local dir=$1
  [ -f "$dir/url" ] || die "no cluster in $dir (run: $0 start $dir)"
  cat "$dir/url"
}

cluster_sql() {
  local port=$1 password=$2 sql=$3
  as_owner env PGPASSWORD="$password" "$(server_bin)/psql" -qtA -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$port" -U "$role" -d postgres -c "$sql"
}

running() {
  local dir=$1 bin
  bin=$(server_bin)
  [ -n "$bin" ] && [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

start_cluster() {
  local dir=$1 bin port password
  install_postgres
  bin=$(server_bin)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
    chmod 700 "$dir"
    as_owner test -w "$dir" || die "the postgres user cannot reach $dir (a parent directory is closed to it); choose one it can reach, e.g. under /tmp"
  fi
  if running "$dir"; then
    url_of "$dir"
    return 0
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    say "creating a cluster in $dir"
    # A random password, even on localhost: other local users must not reach the test data.
    password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
    printf '%s\n' "$password" | as_owner sh -c "umask 077; cat > '$dir/password'"
    as_owner "$bin/initdb" -D "$dir/data" -U "$role" --pwfile="$dir/password" \
      --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      die "initdb failed; see $dir/initdb.log"
  else
    password=$(cat "$dir/password")
  fi
  port=$(free_port)
  # Durability is pointless for a throwaway cluster; turning it off makes the suite much faster.
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    >/dev/null || die "the server did not start; see $dir/server.log"
  if [ -z "$(cluster_sql "$port" "$password" "select 1 from pg_database where datname = '$database'")" ]; then
    cluster_sql "$port" "$password" "create database $database" >/dev/null
  fi
  (umask 077 && echo "postgresql://$role:$password@127.0.0.1:$port/$database" >"$dir/url")
  say "running on 127.0.0.1:$port (data in $dir)"
  cat "$dir/url"
}

stop_cluster() {
  local dir=$1
  if running "$dir"; then
    as_owner "$(server_bin)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    say "stopped the cluster in $dir"
  fi
}

run_dir=
cleanup_run() {
  if [ -n "$run_dir" ]; then
    stop_cluster "$run_dir" || true
    rm -rf "$run_dir"
  fi
}

run_with_cluster() {
  local url status=0
  # /tmp rather than $TMPDIR: as root, the postgres user must be able to reach the directory.
  run_dir=$(mktemp -d /tmp/miniapp-postgres.XXXXXX)
  # Stop and delete the cluster however the command ends, including Ctrl-C.
  trap cleanup_run EXIT
  trap 'exit 130' INT TERM
  url=$(start_cluster "$run_dir")
  DATABASE_URL=$url TEST_DATABASE_URL=$url "$@" || status=$?
  return "$status"
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  install) install_postgres ;;
  start)
    [ $# -eq 1 ] || usage
    start_cluster "$1"
    ;;
  url)
    [ $# -eq 1 ] || usage
    url_of "$1"
    ;;
  stop)
    [ $# -eq 1 ] || usage
    [ -d "$1" ] || exit 0
    stop_cluster "$(cd "$1" && pwd)"
    ;;
  run)
    [ "${1:-}" = "--" ] && shift
    [ $# -gt 0 ] || usage
    run_with_cluster "$@"
    ;;
  *) usage ;;
esac
