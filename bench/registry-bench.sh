#!/usr/bin/env bash
# Registry benchmark: kopi vs skopeo, side by side in one run, against two local docker-registry processes
# (plain HTTP on 127.0.0.1 only). Cases, each run REPS times per tool (median reported):
#   push      oci -> registry A (new repository each run)
#   pull      registry A -> oci (new directory each run)
#   other     registry A -> registry B (new repository each run: every blob moves)
#   mount     registry A -> another repository of A (every blob mounted)
#   retag     A/app:v1 -> A/app:<new tag> (no blob moves)
#   recopy    A/app:v1 -> B/app:v1 again (everything already there)
# Environment: SIZE_MB (default 200), LAYERS (8), REPS (3), KOPI (./kopi), SKOPEO (skopeo), KEEP=1.
set -euo pipefail
ROOT=$(cd "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd)
SIZE_MB=${SIZE_MB:-200}
LAYERS=${LAYERS:-8}
REPS=${REPS:-3}
KOPI=${KOPI:-$ROOT/kopi}
SKOPEO=${SKOPEO:-skopeo}
command -v docker-registry >/dev/null || { echo "registry-bench: docker-registry is missing (scripts/test installs it)" >&2; exit 1; }
command -v "$SKOPEO" >/dev/null || { echo "registry-bench: skopeo is missing" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kopi-regbench.XXXXXX")
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
per_layer=$((SIZE_MB / LAYERS))
sizes=()
for ((i = 0; i < LAYERS; i++)); do sizes+=("${per_layer}m"); done
echo "== generating an ${LAYERS}-layer image with ${SIZE_MB} MiB of layer content"
java -XX:+UseSerialGC -cp "$JAR" dev.kopi.testkit.TestImages layers "$WORK/src" bench 7 --gzip-level 1 "${sizes[@]}" >/dev/null
"$SKOPEO" copy -q --insecure-policy --dest-tls-verify=false oci:"$WORK/src":bench "docker://$A/app:v1"
"$SKOPEO" copy -q --insecure-policy --src-tls-verify=false --dest-tls-verify=false "docker://$A/app:v1" "docker://$B/app:v1"

FLAGS=(--insecure-policy --src-tls-verify=false --dest-tls-verify=false)
run() { # tool case rep -> seconds
    local tool=$1 c=$2 r=$3 cmd src dst
    if [[ $tool == kopi ]]; then cmd=("$KOPI"); else cmd=("$SKOPEO"); fi
    case $c in
        push) src="oci:$WORK/src:bench"; dst="docker://$A/push-$tool-$r:v1" ;;
        pull) src="docker://$A/app:v1"; dst="oci:$WORK/pull-$tool-$r:v1" ;;
        other) src="docker://$A/app:v1"; dst="docker://$B/other-$tool-$r:v1" ;;
        mount) src="docker://$A/app:v1"; dst="docker://$A/mount-$tool-$r:v1" ;;
        retag) src="docker://$A/app:v1"; dst="docker://$A/app:retag-$tool-$r" ;;
        recopy) src="docker://$A/app:v1"; dst="docker://$B/app:v1" ;;
    esac
    local t0 t1
    t0=$(date +%s.%N)
    "${cmd[@]}" copy -q "${FLAGS[@]}" "$src" "$dst" >/dev/null
    t1=$(date +%s.%N)
    python3 -c "print(f'{$t1-$t0:.3f}')"
}
median() { python3 -c 'import sys,statistics; print(f"{statistics.median(float(x) for x in sys.argv[1:]):.3f}")' "$@"; }

printf '\n%-8s %10s %10s %8s\n' case "kopi s" "skopeo s" ratio
worst=0
for c in push pull other mount retag recopy; do
    k=() s=()
    for ((r = 1; r <= REPS; r++)); do
        k+=("$(run kopi "$c" "$r")")
        s+=("$(run skopeo "$c" "$r")")
    done
    km=$(median "${k[@]}")
    sm=$(median "${s[@]}")
    ratio=$(python3 -c "print(f'{$km/$sm:.2f}')")
    printf '%-8s %10s %10s %8s\n' "$c" "$km" "$sm" "$ratio"
done
