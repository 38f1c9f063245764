#!/usr/bin/env bash
# Measures the resident memory of `broadsheet serve` on an existing SQLite
# site: idle, then under load. Usage:
#
#   scripts/memory.sh DATA_DIR        # DATA_DIR/broadsheet.db must exist
#
# It builds the server from this checkout as `make build` does (or runs
# $BIN), starts it on 127.0.0.1:$PORT, waits $IDLE seconds without a
# request (health checks aside) and reads VmRSS from /proc/PID/status: IDLE_RSS. Then, for
# $DURATION seconds, wrk fetches pages with gzip — the front page one time
# in $FRONT, otherwise an article drawn at random from the site's published
# articles (all of them, or the newest $ARTICLES) — while
# scripts/commentload posts comments with solved anti-bot challenges
# ($SOLVERS at once). VmRSS is sampled every 100 ms: PEAK_RSS is the
# largest sample, HWM_RSS the kernel's high-water mark since the start.
# The Go heap figures come from /metrics and from the garbage collector's
# trace (GODEBUG=gctrace=1).
#
# First, unless SETTLE=0, the server runs on the site for $SETTLE seconds
# and is stopped: an archive written straight into its tables (as the
# benchmark's is) starts with work a running site has long done — telling
# moderators of every held comment, working out More Articles — and the
# measured start is then the restart of a site that was up, as after a
# deploy. SETTLE=0 measures the first start itself.
#
# The run writes to the database (held comments, page views). The
# environment is passed to the server (GOMEMLIMIT, GOGC, BROADSHEET_*);
# SERVE_FLAGS adds flags, e.g. SERVE_FLAGS='--cache-mb 16'.
#
# Loopback only; every step is bounded in time; the server is stopped and
# the temporary directory removed on exit (KEEP=1 keeps it). Not part of
# make test. Needs: go, curl, wrk, sqlite3 (apt-get install -y wrk sqlite3).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -ne 1 ] || [ ! -f "$1/broadsheet.db" ]; then
	echo "usage: scripts/memory.sh DATA_DIR (holding broadsheet.db)" >&2
	exit 2
fi
data=$(cd "$1" && pwd)
PORT=${PORT:-18090}
IDLE=${IDLE:-30}         # seconds idle before IDLE_RSS
DURATION=${DURATION:-30} # seconds of load, at most 60
CONNS=${CONNS:-32}       # wrk -c
THREADS=${THREADS:-1}    # wrk -t
SOLVERS=${SOLVERS:-1}    # commentload -c; 0 posts no comments
ARTICLES=${ARTICLES:-0}  # the newest N published articles; 0: all
FRONT=${FRONT:-10}       # one request in FRONT is the front page
SERVE_FLAGS=${SERVE_FLAGS:-}
SETTLE=${SETTLE:-20}     # seconds of a first start before the measured one; 0: none

if [ "$DURATION" -gt 60 ] || [ "$DURATION" -lt 1 ] || [ "$IDLE" -lt 1 ] || [ "$SETTLE" -gt 600 ]; then
	echo "memory: DURATION is 1–60 seconds, IDLE at least 1, SETTLE at most 600" >&2
	exit 2
fi
missing=()
for tool in go curl wrk sqlite3; do
	command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "memory: missing ${missing[*]} (apt-get install -y wrk sqlite3)" >&2
	exit 1
fi

work=$(mktemp -d)
server=
loaders=()
cleanup() {
	for pid in "${loaders[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
		kill -TERM "$server" 2>/dev/null || true
		for _ in $(seq 200); do
			kill -0 "$server" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$server" 2>/dev/null || true
	fi
	wait 2>/dev/null || true
	if [ -z "${KEEP:-}" ]; then
		rm -rf "$work"
	else
		echo "kept $work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bin=${BIN:-}
if [ -z "$bin" ]; then
	bin=$work/broadsheet
	CGO_ENABLED=0 go build -o "$bin" ./cmd/broadsheet # as make build does
fi
go build -o "$work/commentload" ./scripts/commentload

# The published articles, newest first, read before the server starts.
limit=-1
[ "$ARTICLES" -gt 0 ] && limit=$ARTICLES
sqlite3 -readonly -separator $'\t' "$data/broadsheet.db" \
	"SELECT a.id, '/' || s.slug || '/' || a.slug FROM articles a JOIN sections s ON s.id = a.section_id
	 WHERE a.status = 'published' AND a.published_at <= unixepoch()
	 ORDER BY a.published_at DESC, a.id DESC LIMIT $limit" >"$work/articles.tsv"
cut -f2 "$work/articles.tsv" >"$work/paths.txt"
articles=$(wc -l <"$work/paths.txt")
if [ "$articles" -eq 0 ]; then
	echo "memory: no published article in $data/broadsheet.db" >&2
	exit 1
fi

cat >"$work/pages.lua" <<'LUA'
-- wrk: the front page one time in FRONT, otherwise a random article.
local counter = 1
function setup(thread)
	thread:set("id", counter)
	counter = counter + 1
end
function init(args)
	paths = {}
	for line in io.lines(args[1]) do paths[#paths + 1] = line end
	front = tonumber(args[2])
	math.randomseed(os.time() * 1000 + id)
end
function request()
	if front > 0 and math.random(front) == 1 then
		return wrk.format("GET", "/")
	end
	return wrk.format("GET", paths[math.random(#paths)])
end
LUA

rss() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$server/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
metric() { awk -v m="$1" '$1 == m {printf "%.1f", $2 / 1048576}' "$2"; }

echo "== memory at $articles articles"
echo "date:    $(date -u)"
echo "cpu:     $(nproc) × $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "go:      $(go version)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at the start"
echo "run:     settle ${SETTLE}s, restart, idle ${IDLE}s; wrk -t$THREADS -c$CONNS -d${DURATION}s, front page 1 in $FRONT; commentload -c $SOLVERS"
echo "server:  $bin serve --data $data $SERVE_FLAGS"
env | grep -E '^(GOMEMLIMIT|GOGC|BROADSHEET_[A-Z_]+)=' | sed 's/^/env:     /' || true

stop() {
	kill -TERM "$server" 2>/dev/null || true
	wait "$server" 2>/dev/null || true
	server=
}
if [ "$SETTLE" -gt 0 ]; then
	# shellcheck disable=SC2086 # SERVE_FLAGS is words
	"$bin" serve --data "$data" --addr "127.0.0.1:$PORT" --log-level warn $SERVE_FLAGS 2>"$work/settle.log" &
	server=$!
	sleep "$SETTLE"
	kill -0 "$server" 2>/dev/null || { cat "$work/settle.log" >&2; exit 1; }
	stop
fi

# shellcheck disable=SC2086 # SERVE_FLAGS is words
GODEBUG=${GODEBUG:+$GODEBUG,}gctrace=1 "$bin" serve --data "$data" --addr "127.0.0.1:$PORT" \
	--trusted-proxies 127.0.0.1 --log-level warn $SERVE_FLAGS 2>"$work/server.log" &
server=$!
base=http://127.0.0.1:$PORT
for _ in $(seq 300); do
	curl -fs -m 1 -o /dev/null "$base/healthz" && break
	kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
	sleep 0.2
done
curl -fs -m 1 -o /dev/null "$base/healthz" || { echo "memory: nothing answers at $base" >&2; exit 1; }
echo "started: RSS $(mib "$(rss VmRSS)") MiB once answering"

sleep "$IDLE"
idle=$(rss VmRSS)
curl -fs -m 5 "$base/metrics" >"$work/metrics-idle"
gcs_idle=$(grep -c '^gc ' "$work/server.log" || true)
echo "idle:    RSS $(mib "$idle") MiB after ${IDLE}s ($(mib "$(rss RssAnon)") anonymous, $(mib "$(rss RssFile)") the program's file); Go heap $(metric go_memstats_heap_alloc_bytes "$work/metrics-idle") MiB allocated, $(metric go_memstats_sys_bytes "$work/metrics-idle") MiB from the OS"

# Sample VmRSS every 100 ms until told to stop.
(
	peak=0
	while [ ! -e "$work/stop" ] && v=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$server/status" 2>/dev/null); do
		[ "$v" -gt "$peak" ] && peak=$v && echo "$peak" >"$work/peak"
		sleep 0.1
	done
) &
loaders+=($!)

timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -H 'Accept-Encoding: gzip' \
	-s "$work/pages.lua" "$base" -- "$work/paths.txt" "$FRONT" >"$work/wrk.txt" &
loaders+=($!)
wrk_pid=$!
if [ "$SOLVERS" -gt 0 ]; then
	timeout $((DURATION + 120)) "$work/commentload" -base "$base" -ids "$work/articles.tsv" -d "${DURATION}s" -c "$SOLVERS" >"$work/comments.txt" &
	loaders+=($!)
	wait $!
fi
wait "$wrk_pid"
touch "$work/stop"
sleep 0.3
after=$(rss VmRSS)
hwm=$(rss VmHWM)
curl -fs -m 5 "$base/metrics" >"$work/metrics-load"

echo "== wrk"
grep -E 'Requests/sec|Transfer/sec|requests in|Non-2xx|Socket errors|    50%|    99%' "$work/wrk.txt" | sed 's/^ *//'
if [ "$SOLVERS" -gt 0 ]; then
	echo "== comments"
	grep -v '^COMMENTS ' "$work/comments.txt"
fi
echo "== garbage collector (gctrace), during the load"
tail -n +"$((gcs_idle + 1))" "$work/server.log" | grep '^gc ' >"$work/gc-load" || true
awk '{
	for (i = 1; i <= NF; i++) if ($i ~ /->.*->/ && $(i + 1) == "MB,") {split($i, h, "->"); if (h[1] + 0 > start) start = h[1] + 0; if (h[3] + 0 > live) live = h[3] + 0}
	for (i = 1; i <= NF; i++) if ($(i + 1) == "MB" && $(i + 2) == "goal,") {if ($i + 0 > goal) goal = $i + 0}
	n++
} END {printf "collections %d; largest heap at a collection %d MB, live after it %d MB, goal %d MB\n", n, start, live, goal}' "$work/gc-load"
echo "== summary"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at the end"
echo "after:   RSS $(mib "$after") MiB ($(mib "$(rss RssAnon)") anonymous, $(mib "$(rss RssFile)") the program's file); Go heap $(metric go_memstats_heap_alloc_bytes "$work/metrics-load") MiB allocated, $(metric go_memstats_sys_bytes "$work/metrics-load") MiB from the OS"
echo "IDLE_RSS $(mib "$idle") MiB"
echo "PEAK_RSS $(mib "$(cat "$work/peak" 2>/dev/null || echo 0)") MiB"
echo "HWM_RSS $(mib "$hwm") MiB"
