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
BENCH=registry-bench
. "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib.sh"
SIZE_MB=${SIZE_MB:-200}
LAYERS=${LAYERS:-8}
REPS=${REPS:-3}
SKOPEO=${SKOPEO:-skopeo}
need_tool "$SKOPEO" skopeo

bench_workdir
start_registry a A
start_registry b B

bench_build_kopi
echo "== generating an ${LAYERS}-layer image with ${SIZE_MB} MiB of layer content"
gen_layers "$WORK/src" bench 7
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
    seconds "${cmd[@]}" copy -q "${FLAGS[@]}" "$src" "$dst"
}

printf '\n%-8s %10s %10s %8s\n' case "kopi s" "skopeo s" ratio
for c in push pull other mount retag recopy; do
    k=() s=()
    for ((r = 1; r <= REPS; r++)); do
        k+=("$(run kopi "$c" "$r")")
        s+=("$(run skopeo "$c" "$r")")
    done
    km=$(median "${k[@]}")
    sm=$(median "${s[@]}")
    printf '%-8s %10s %10s %8s\n' "$c" "$km" "$sm" "$(ratio "$km" "$sm")"
done
