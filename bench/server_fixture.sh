# Sourced by the bench scripts: a fresh server with embedded PostgreSQL in a
# temporary directory, removed on exit.
#
#   source bench/server_fixture.sh
#   start_server PREFIX [extra serve options]
#
# Sets dir (the temporary directory), port, key (an API key) and server
# (the server's pid); its log is $dir/serve.log. Needs $bin.

start_server() {
  local prefix=$1
  shift
  dir=$(mktemp -d "/tmp/$prefix.XXXXXX")
  chmod 755 "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
  key=$($bin keys create --user bench --tier enterprise --data-dir "$dir/var" 2>/dev/null)
  $bin serve --listen 127.0.0.1:$port --data-dir "$dir/var" --rate-limit 1000000 --quota-enterprise 1000000 "$@" 2>"$dir/serve.log" &
  server=$!
  for _ in $(seq 100); do curl -sf "127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
}
