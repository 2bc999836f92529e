#!/usr/bin/env bash
# Sync benchmark: kopi vs skopeo, side by side in one run, against two local docker-registry processes (plain HTTP
# on 127.0.0.1 only). A repository A/app of TAGS tags that share BASE layers (SHARED_MB MiB of content) and have one
# small layer each (UNIQUE_KB KiB). Cases, each run REPS times per tool, interleaved (median reported):
#   first     sync --src docker --dest docker A/app B/first-<tool>-<rep>   (new repository each run)
#   resync    the same into B/resync-<tool>, filled once before timing      (nothing new)
#   todir     sync --src docker --dest dir A/app <new directory>
# Targets (issue 6): first <= 0.4x skopeo, resync <= 0.2x, todir <= 0.6x.
# Environment: TAGS (50), BASE (3), SHARED_MB (12), UNIQUE_KB (64), REPS (3), JOBS (kopi --jobs; default: kopi's),
# KOPI (./kopi), SKOPEO (skopeo), KEEP=1.
set -euo pipefail
ROOT=$(cd "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd)
TAGS=${TAGS:-50}
BASE=${BASE:-3}
SHARED_MB=${SHARED_MB:-12}
UNIQUE_KB=${UNIQUE_KB:-64}
REPS=${REPS:-3}
KOPI=${KOPI:-$ROOT/kopi}
SKOPEO=${SKOPEO:-skopeo}
command -v docker-registry >/dev/null || { echo "sync-bench: docker-registry is missing (scripts/test installs it)" >&2; exit 1; }
command -v "$SKOPEO" >/dev/null || { echo "sync-bench: skopeo is missing" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kopi-syncbench.XXXXXX")
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT
export HOME="$WORK/home" TMPDIR="$WORK/tmp" XDG_CONFIG_HOME="$WORK/home/.config" XDG_RUNTIME_DIR="$WORK/run"
mkdir -p "$HOME" "$TMPDIR" "$XDG_RUNTIME_DIR"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_registry() { # name -> prints host:port
    local name=$1 port
    port=$(free_port)
    mkdir -p "$WORK/$name/data"
    cat >"$WORK/$name/config.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $WORK/$name/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YML
    docker-registry serve "$WORK/$name/config.yml" >"$WORK/$name/log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break
        sleep 0.1
    done
    echo "127.0.0.1:$port"
}
A=$(start_registry a)
B=$(start_registry b)

"$KOPI" --version >/dev/null # build and train the AppCDS archive before timing anything
JAR="$ROOT/kopi-cli/target/kopi.jar"
echo "== generating $TAGS tags sharing $BASE layers ($SHARED_MB MiB of content) plus ${UNIQUE_KB} KiB each"
java -XX:+UseSerialGC -cp "$JAR" "$ROOT/bench/SyncBenchImages.java" "$WORK/src" "$TAGS" "$BASE" \
    $((SHARED_MB * 1024)) "$UNIQUE_KB"
for ((t = 0; t < TAGS; t++)); do
    "$SKOPEO" copy -q --insecure-policy --dest-tls-verify=false "oci:$WORK/src:v1.$t.0" "docker://$A/app:v1.$t.0"
done

FLAGS=(--insecure-policy --src-tls-verify=false --dest-tls-verify=false)
KFLAGS=()
[[ -n "${JOBS:-}" ]] && KFLAGS=(--jobs "$JOBS")
sync_cmd() { # tool dest-transport destination
    if [[ $1 == kopi ]]; then
        "$KOPI" sync "${FLAGS[@]}" "${KFLAGS[@]}" --src docker --dest "$2" "$A/app" "$3"
    else
        "$SKOPEO" sync "${FLAGS[@]}" --src docker --dest "$2" "$A/app" "$3"
    fi
}
for tool in kopi skopeo; do sync_cmd "$tool" docker "$B/resync-$tool" >/dev/null 2>&1; done

run() { # tool case rep -> seconds
    local tool=$1 c=$2 r=$3 t0 t1
    t0=$(date +%s.%N)
    case $c in
        first) sync_cmd "$tool" docker "$B/first-$tool-$r" ;;
        resync) sync_cmd "$tool" docker "$B/resync-$tool" ;;
        todir) sync_cmd "$tool" dir "$WORK/dir-$tool-$r" ;;
    esac >"$WORK/last-$tool.out" 2>"$WORK/last-$tool.err" || { cat "$WORK/last-$tool.err" >&2; exit 1; }
    t1=$(date +%s.%N)
    [[ $c == todir ]] && rm -rf "$WORK/dir-$tool-$r"
    python3 -c "print(f'{$t1-$t0:.3f}')"
}
median() { python3 -c 'import sys,statistics; print(f"{statistics.median(float(x) for x in sys.argv[1:]):.3f}")' "$@"; }

printf '\n%-8s %10s %10s %8s %8s\n' case "kopi s" "skopeo s" ratio target
for c in first resync todir; do
    k=() s=()
    for ((r = 1; r <= REPS; r++)); do
        k+=("$(run kopi "$c" "$r")")
        s+=("$(run skopeo "$c" "$r")")
    done
    km=$(median "${k[@]}")
    sm=$(median "${s[@]}")
    ratio=$(python3 -c "print(f'{$km/$sm:.2f}')")
    case $c in first) target=0.40 ;; resync) target=0.20 ;; todir) target=0.60 ;; esac
    printf '%-8s %10s %10s %8s %8s\n' "$c" "$km" "$sm" "$ratio" "$target"
done
grep -h 'Sync summary' "$WORK"/last-kopi.err || true
