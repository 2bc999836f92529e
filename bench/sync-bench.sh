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
BENCH=sync-bench
. "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib.sh"
TAGS=${TAGS:-50}
BASE=${BASE:-3}
SHARED_MB=${SHARED_MB:-12}
UNIQUE_KB=${UNIQUE_KB:-64}
REPS=${REPS:-3}
SKOPEO=${SKOPEO:-skopeo}
need_tool "$SKOPEO" skopeo

bench_workdir
start_registry a A
start_registry b B

bench_build_kopi
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
    local tool=$1 c=$2 r=$3
    case $c in
        first) seconds sync_cmd "$tool" docker "$B/first-$tool-$r" ;;
        resync) seconds sync_cmd "$tool" docker "$B/resync-$tool" ;;
        todir) seconds sync_cmd "$tool" dir "$WORK/dir-$tool-$r" && rm -rf "$WORK/dir-$tool-$r" ;;
    esac
    [[ $tool == kopi ]] && cp "$WORK/last.err" "$WORK/last-kopi.err"
    return 0
}

printf '\n%-8s %10s %10s %8s %8s\n' case "kopi s" "skopeo s" ratio target
for c in first resync todir; do
    k=() s=()
    for ((r = 1; r <= REPS; r++)); do
        k+=("$(run kopi "$c" "$r")")
        s+=("$(run skopeo "$c" "$r")")
    done
    km=$(median "${k[@]}")
    sm=$(median "${s[@]}")
    case $c in first) target=0.40 ;; resync) target=0.20 ;; todir) target=0.60 ;; esac
    printf '%-8s %10s %10s %8s %8s\n' "$c" "$km" "$sm" "$(ratio "$km" "$sm")" "$target"
done
grep -h 'Sync summary' "$WORK"/last-kopi.err || true
