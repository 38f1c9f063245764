#!/usr/bin/env bash
# Compares serving a cached article page from Broadsheet with nginx sending
# the same bytes from disk. Loopback only; each run is bounded by DURATION.
# Needs: go, nginx, wrk (apt-get install -y nginx-light wrk).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
BS_PORT=${BS_PORT:-18080}
NG_PORT=${NG_PORT:-18081}
GO_PORT=${GO_PORT:-18082}
work=$(mktemp -d)
cleanup() {
	[ -n "${bs_pid:-}" ] && kill "$bs_pid" 2>/dev/null || true
	[ -n "${go_pid:-}" ] && kill "$go_pid" 2>/dev/null || true
	[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT

go build -o "$work/broadsheet" ./cmd/broadsheet
go build -o "$work/plainserver" ./scripts/plainserver
"$work/broadsheet" serve --demo --data "$work/data" --addr "127.0.0.1:$BS_PORT" --log-level warn 2>"$work/bs.log" &
bs_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$BS_PORT/healthz" >/dev/null && break; sleep 0.2; done

path=/city/council-votes-eastgate-tram-depot-homes
mkdir -p "$work/root/city"
curl -fs "http://127.0.0.1:$BS_PORT$path" -o "$work/root$path.html"
curl -fs -H 'Accept-Encoding: gzip' "http://127.0.0.1:$BS_PORT$path" -o "$work/root$path.html.gz"
echo "page: $(wc -c <"$work/root$path.html") bytes, $(wc -c <"$work/root$path.html.gz") gzip"

cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    default_type text/html;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:$NG_PORT;
        root $work/root;
        gzip_static on;
        location / { try_files \$uri.html =404; etag on; }
    }
}
CONF
chmod -R a+rX "$work"
nginx -c "$work/nginx.conf"
"$work/plainserver" "127.0.0.1:$GO_PORT" "$work/root$path.html.gz" &
go_pid=$!
sleep 0.5

run() {
	echo "== $1"
	wrk -t2 -c"$CONNS" -d"$DURATION" --latency -H 'Accept-Encoding: gzip' "$2" | grep -E 'Requests/sec|Latency  |50%|99%|Transfer/sec'
}
run "broadsheet $path (gzip)" "http://127.0.0.1:$BS_PORT$path"
run "nginx same bytes (gzip_static)" "http://127.0.0.1:$NG_PORT$path"
run "plain Go net/http, same bytes" "http://127.0.0.1:$GO_PORT$path"
