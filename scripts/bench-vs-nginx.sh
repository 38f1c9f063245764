#!/usr/bin/env bash
# Compares Broadsheet serving cached pages with three servers sending the
# same gzip bytes: nginx from disk (gzip_static), the smallest Go net/http
# handler (scripts/plainserver) and the smallest fasthttp handler
# (scripts/fasthttpserver), both from memory. Scenarios: the article page,
# the front page, the site's RSS feed, and the article answered 304 to an
# If-None-Match carrying the ETag each server sends.
#
# Every server runs on core SERVER_CPU (nginx: one worker), the load
# generator on LOAD_CPU, so each server has one core to itself and the
# numbers are per core. wrk measures peak requests/s; then
# scripts/ratecheck sends the article at half Broadsheet's peak, at a
# constant rate, to Broadsheet and to nginx and reports latency
# percentiles timed from when each request was due.
#
# Loopback only; every step is bounded in time; servers and the temporary
# directory are removed on exit (KEEP=1 keeps the directory).
# Needs: go, curl, taskset, nginx, wrk (apt-get install -y nginx-light wrk)
# and two cores.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}     # each wrk run
THREADS=${THREADS:-1}         # wrk -t
CONNS=${CONNS:-32}            # wrk -c and ratecheck -c
RATE_DURATION=${RATE_DURATION:-10s}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
ARTICLE=${ARTICLE:-/city/council-votes-eastgate-tram-depot-homes}
FEED=${FEED:-/feed.rss}
# Which scenarios, in order: article, front, feed, article-304.
read -ra scenarios <<<"${SCENARIOS:-article front feed article-304}"
BS_PORT=${BS_PORT:-18080}
NG_PORT=${NG_PORT:-18081}
GO_PORT=${GO_PORT:-18082}
FH_PORT=${FH_PORT:-18083}

missing=()
for tool in go curl taskset nginx wrk; do
	command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "bench-vs-nginx: missing ${missing[*]} (apt-get install -y nginx-light wrk)" >&2
	exit 1
fi
for scenario in "${scenarios[@]}"; do
	case $scenario in
	article | front | feed | article-304) ;;
	*)
		echo "bench-vs-nginx: no scenario $scenario (article, front, feed, article-304)" >&2
		exit 1
		;;
	esac
done
if [ "$(nproc --all)" -lt 2 ] || [ "$SERVER_CPU" = "$LOAD_CPU" ]; then
	echo "bench-vs-nginx: needs two cores, one for the servers and one for the load" >&2
	exit 1
fi

work=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [ -z "${KEEP:-}" ]; then
		rm -rf "$work"
	else
		echo "kept $work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== machine"
echo "date:    $(date -u)"
echo "cores:   $(nproc) (servers on core $SERVER_CPU, load on core $LOAD_CPU)"
echo "cpu:     $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "kernel:  $(uname -srm)"
echo "go:      $(go version)"
echo "nginx:   $(nginx -v 2>&1)"
echo "wrk:     $(wrk -v 2>&1 | head -1 || true)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
echo "runs:    wrk -t$THREADS -c$CONNS -d$DURATION; ratecheck -c$CONNS -d$RATE_DURATION"

CGO_ENABLED=0 go build -o "$work/broadsheet" ./cmd/broadsheet # as make build does
(cd scripts/plainserver && go build -o "$work/plainserver" .)
(cd scripts/fasthttpserver && go build -o "$work/fasthttpserver" .)
(cd scripts/ratecheck && go build -o "$work/ratecheck" .)

# up URL waits at most ten seconds for URL to answer.
up() {
	for _ in $(seq 50); do
		curl -fs -m 1 -o /dev/null "$1" && return 0
		sleep 0.2
	done
	echo "bench-vs-nginx: nothing answers at $1" >&2
	exit 1
}

# Servers start as taskset's own process, not a shell function's, so that
# $! is the server itself and cleanup reaches it.
taskset -c "$SERVER_CPU" "$work/broadsheet" serve --demo --data "$work/data" --addr "127.0.0.1:$BS_PORT" --log-level warn 2>"$work/bs.log" &
pids+=($!)
up "http://127.0.0.1:$BS_PORT/healthz"

# Save each page's exact bytes, plain and gzip, where nginx and the
# reference servers look for them: /x/y as x/y.html, / as index.html,
# the feed under its own name. Broadsheet compresses a page again, harder,
# after its first few hits (repackAfter, internal/web/cache.go): the gzip
# bytes are saved once they have settled, and checked again at the end.
declare -A file=([article]="$ARTICLE.html" [front]=/index.html [feed]="$FEED")
declare -A path=([article]="$ARTICLE" [front]=/ [feed]="$FEED")
for page in article front feed; do
	f=$work/root${file[$page]}
	mkdir -p "$(dirname "$f")"
	curl -fs -m 5 "http://127.0.0.1:$BS_PORT${path[$page]}" -o "$f"
	for _ in $(seq 30); do
		curl -fs -m 5 -H 'Accept-Encoding: gzip' "http://127.0.0.1:$BS_PORT${path[$page]}" -o "$f.gz"
		sleep 0.05
	done
	gzip -t "$f.gz" || { echo "bench-vs-nginx: ${path[$page]} did not come gzipped" >&2; exit 1; }
	echo "$page ${path[$page]}: $(wc -c <"$f") bytes, $(wc -c <"$f.gz") gzip"
done

# worker_cpu_affinity takes a bit mask, the lowest bit core 0.
mask=1$(printf '%*s' "$SERVER_CPU" '' | tr ' ' 0)
cat >"$work/nginx.conf" <<CONF
daemon off;
worker_processes 1;
worker_cpu_affinity $mask;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    types { text/html html; application/rss+xml rss; }
    default_type application/octet-stream;
    charset utf-8;
    charset_types application/rss+xml;
    sendfile on;
    tcp_nopush on;
    open_file_cache max=64 inactive=60s;
    keepalive_requests 1000000;
    gzip_static on;
    gzip_vary on;
    etag on;
    server {
        listen 127.0.0.1:$NG_PORT;
        root $work/root;
        location = / { try_files /index.html =404; }
        location / { try_files \$uri \$uri.html =404; }
    }
}
CONF
# nginx's workers run as nobody: let them read the files.
chmod -R a+rX "$work"
taskset -c "$SERVER_CPU" nginx -e "$work/nginx-error.log" -c "$work/nginx.conf" &
pids+=($!)
taskset -c "$SERVER_CPU" "$work/plainserver" "127.0.0.1:$GO_PORT" "$work/root" &
pids+=($!)
taskset -c "$SERVER_CPU" "$work/fasthttpserver" "127.0.0.1:$FH_PORT" "$work/root" &
pids+=($!)

servers=(broadsheet nginx nethttp fasthttp)
declare -A port=([broadsheet]=$BS_PORT [nginx]=$NG_PORT [nethttp]=$GO_PORT [fasthttp]=$FH_PORT)
for s in "${servers[@]}"; do
	up "http://127.0.0.1:${port[$s]}${path[article]}"
done

# Every server must send the same bytes for every page, and 304 for the
# ETag it gives the article.
declare -A etag
for s in "${servers[@]}"; do
	base=http://127.0.0.1:${port[$s]}
	for page in article front feed; do
		curl -fs -m 5 -H 'Accept-Encoding: gzip' "$base${path[$page]}" -o "$work/check"
		if ! cmp -s "$work/check" "$work/root${file[$page]}.gz"; then
			echo "bench-vs-nginx: $s sends other bytes for ${path[$page]}" >&2
			exit 1
		fi
	done
	etag[$s]=$(curl -fsI -m 5 -H 'Accept-Encoding: gzip' "$base${path[article]}" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
	code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -H 'Accept-Encoding: gzip' -H "If-None-Match: ${etag[$s]}" "$base${path[article]}")
	if [ -z "${etag[$s]}" ] || [ "$code" != 304 ]; then
		echo "bench-vs-nginx: $s answered $code, not 304, to its ETag '${etag[$s]}'" >&2
		exit 1
	fi
	echo "$s: same bytes for every page; ETag ${etag[$s]} answered 304"
done

# The process doing each server's work: for nginx, its one worker.
declare -A serverpid=([broadsheet]=${pids[0]} [nethttp]=${pids[2]} [fasthttp]=${pids[3]})
serverpid[nginx]=$(pgrep -P "${pids[1]}" | head -1 || true)
if [ -z "${serverpid[nginx]}" ]; then
	echo "bench-vs-nginx: nginx has no worker" >&2
	exit 1
fi

# ticks NAME PID saves, in clock ticks: the server's core (all, idle), the
# load's core (all, idle), the whole machine's work (all but idle, I/O
# wait and steal), process PID's, and this shell's children's (wrk).
# busy BEFORE AFTER prints, in percent of a core, how busy each of the two
# cores was in between, how much the server process had and how much went
# to neither it nor wrk. A load core that was full shows wrk's limit
# rather than the server's; work for others means the run shared the
# machine. `times` must run in this shell, not in a pipe or a command
# substitution, to see wrk.
ticks() {
	{
		awk -v a="cpu$SERVER_CPU" -v b="cpu$LOAD_CPU" '
			{t = 0; for (i = 2; i <= 9; i++) t += $i}
			$1 == a {sa = t " " $5 + $6} $1 == b {sb = t " " $5 + $6} $1 == "cpu" {w = $2 + $3 + $4 + $7 + $8}
			END {printf "%s %s %s ", sa, sb, w}' /proc/stat
		sed 's/.*) //' "/proc/$2/stat" | awk '{printf "%s ", $12 + $13}'
		times >"$work/times"
		awk 'NR == 2 {
			for (i = 1; i <= 2; i++) {split($i, m, "m"); sub("s", "", m[2]); t += (m[1] * 60 + m[2]) * 100}
			print t
		}' "$work/times"
	} >"$work/ticks.$1"
}
busy() {
	awk 'NR == 1 {split($0, p)} NR == 2 {split($0, q)} END {
		core = q[1] - p[1]
		others = (q[5] - p[5]) - (q[6] - p[6]) - (q[7] - p[7])
		printf "%.0f %.0f %.0f %.0f", 100 * (1 - (q[2] - p[2]) / core), 100 * (1 - (q[4] - p[4]) / (q[3] - p[3])),
			100 * (q[6] - p[6]) / core, 100 * (others > 0 ? others : 0) / core
	}' "$work/ticks.$1" "$work/ticks.$2"
}

# bench SCENARIO SERVER runs wrk and records requests/s. A run during
# which other work on the machine took more than OTHERS_MAX percent of a
# core is made again, up to ATTEMPTS times; the least disturbed is kept.
OTHERS_MAX=${OTHERS_MAX:-10}
ATTEMPTS=${ATTEMPTS:-4}
declare -A rps cores
disturbed=()
bench() {
	local scenario=$1 s=$2 out=$work/wrk-$1-$2.txt url used best=-1 line attempt inm=()
	url=http://127.0.0.1:${port[$s]}${path[${scenario%-304}]}
	[ "$scenario" = article-304 ] && inm=(-H "If-None-Match: ${etag[$s]}")
	for attempt in $(seq "$ATTEMPTS"); do
		ticks before "${serverpid[$s]}"
		timeout 300 taskset -c "$LOAD_CPU" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency \
			-H 'Accept-Encoding: gzip' "${inm[@]}" "$url" >"$out"
		ticks after "${serverpid[$s]}"
		read -ra used <<<"$(busy before after)"
		line=$(printf '%-12s %-10s %10s req/s  p50 %-8s p99 %-8s cores: server %3s%% (itself %3s%%), load %3s%%, others %3s%% %s' \
			"$scenario" "$s" "$(awk '/^Requests\/sec:/ {print $2}' "$out")" \
			"$(awk '$1 == "50%" {print $2}' "$out")" "$(awk '$1 == "99%" {print $2}' "$out")" \
			"${used[0]}" "${used[2]}" "${used[1]}" "${used[3]}" "$(grep -E 'Non-2xx|Socket errors' "$out" | tr -s ' \n' ' ' || true)")
		if [ "$best" -lt 0 ] || [ "${used[3]}" -lt "$best" ]; then
			best=${used[3]}
			rps[$scenario,$s]=$(awk '/^Requests\/sec:/ {print $2}' "$out")
			cores[$scenario,$s]="server_core=${used[0]} load_core=${used[1]} server_process=${used[2]} others=${used[3]} attempts=$attempt"
		fi
		if [ "${used[3]}" -le "$OTHERS_MAX" ]; then
			echo "$line"
			return
		fi
		echo "$line  (shared the machine)"
		[ "$attempt" -lt "$ATTEMPTS" ] && sleep 5
	done
	disturbed+=("$scenario/$s (others $best%)")
}

echo "== peak throughput (wrk)"
for scenario in "${scenarios[@]}"; do
	for s in "${servers[@]}"; do
		bench "$scenario" "$s"
	done
done

# A page with a comment form is rendered again when its form's anti-bot
# fields expire, a few minutes in: the same page within a few bytes. Any
# larger change means the servers did not send the same page.
for page in article front feed; do
	curl -fs -m 5 -H 'Accept-Encoding: gzip' "http://127.0.0.1:$BS_PORT${path[$page]}" -o "$work/check"
	if ! cmp -s "$work/check" "$work/root${file[$page]}.gz"; then
		now=$(wc -c <"$work/check") was=$(wc -c <"$work/root${file[$page]}.gz")
		if [ $(((now - was) * 100 / was)) -ne 0 ]; then
			echo "bench-vs-nginx: broadsheet's bytes for ${path[$page]} changed during the runs ($was, now $now)" >&2
			exit 1
		fi
		echo "(${path[$page]} was rendered again during the runs: $was gzip bytes, now $now)"
	fi
done

if [ -z "${rps[article,broadsheet]:-}" ]; then
	echo "(no latency check: it runs at half Broadsheet's peak for the article)"
	latency_servers=()
else
	latency_servers=(broadsheet nginx)
	echo "== latency at half Broadsheet's peak for the article (ratecheck)"
fi
rate=$(awk -v r="${rps[article,broadsheet]:-0}" 'BEGIN {printf "%d", r / 2}')
declare -A latency
for s in "${latency_servers[@]}"; do
	echo "-- $s"
	ticks before "${serverpid[$s]}"
	timeout 300 taskset -c "$LOAD_CPU" "$work/ratecheck" -rate "$rate" -d "$RATE_DURATION" -c "$CONNS" \
		-H 'Accept-Encoding: gzip' "http://127.0.0.1:${port[$s]}${path[article]}" >"$work/rate-$s.txt"
	ticks after "${serverpid[$s]}"
	read -ra used <<<"$(busy before after)"
	grep -v '^LATENCY ' "$work/rate-$s.txt"
	echo "  cores: server ${used[0]}% (itself ${used[2]}%), load ${used[1]}%, others ${used[3]}%"
	latency[$s]=$(sed -n 's/^LATENCY //p' "$work/rate-$s.txt")
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo "== summary"
printf '%-12s %11s %11s %11s %11s   %8s %8s %8s\n' scenario broadsheet nginx nethttp fasthttp \
	bs/nginx bs/nethttp bs/fasthttp
for scenario in "${scenarios[@]}"; do
	printf '%-12s %11s %11s %11s %11s   %8s %8s %8s\n' "$scenario" \
		"${rps[$scenario,broadsheet]}" "${rps[$scenario,nginx]}" "${rps[$scenario,nethttp]}" "${rps[$scenario,fasthttp]}" \
		"$(ratio "${rps[$scenario,broadsheet]}" "${rps[$scenario,nginx]}")" \
		"$(ratio "${rps[$scenario,broadsheet]}" "${rps[$scenario,nethttp]}")" \
		"$(ratio "${rps[$scenario,broadsheet]}" "${rps[$scenario,fasthttp]}")"
done
if [ ${#disturbed[@]} -gt 0 ]; then
	echo "shared the machine in every attempt: ${disturbed[*]}"
fi
for s in "${latency_servers[@]}"; do
	echo "article at $rate/s, $s: $(sed -n 's/^  latency from due time: //p' "$work/rate-$s.txt")"
done
for scenario in "${scenarios[@]}"; do
	for s in "${servers[@]}"; do
		echo "RPS scenario=$scenario server=$s value=${rps[$scenario,$s]} ${cores[$scenario,$s]}"
	done
	for s in nginx nethttp fasthttp; do
		echo "RATIO scenario=$scenario vs=$s value=$(ratio "${rps[$scenario,broadsheet]}" "${rps[$scenario,$s]}")"
	done
done
for s in "${latency_servers[@]}"; do
	echo "LATENCY scenario=article server=$s ${latency[$s]}"
done
