# Sourced by scripts/test: a throw-away PostgreSQL cluster on 127.0.0.1 (Debian's postgresql), for the
# hub's tests. Exports HNTT_TEST_POSTGRES (a superuser URL; each test makes and drops its own database);
# `stop_postgres` ends it and removes its folder. As root, the cluster runs as the `postgres` account
# (PostgreSQL refuses to run as root).
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$pg_bin/initdb" ] || { echo "error: no PostgreSQL server (apt-get install postgresql)" >&2; exit 2; }
pg_dir="$(mktemp -d /tmp/hntt-pg.XXXXXX)"
pg_as=()
if [ "$(id -u)" -eq 0 ]; then chown postgres "$pg_dir"; pg_as=(runuser -u postgres --); fi
pg_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"${pg_as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U hntt --no-sync -E UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1 ||
  { cat "$pg_dir/initdb.log" >&2; exit 1; }
"${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 start \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c fsync=off -c synchronous_commit=off -c max_connections=200" \
  >/dev/null || { cat "$pg_dir/server.log" >&2; exit 1; }
export HNTT_TEST_POSTGRES="postgres://hntt@127.0.0.1:$pg_port/postgres"
stop_postgres() {
  "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
