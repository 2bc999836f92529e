#!/usr/bin/env bash
# containers-storage benchmark: kopi vs skopeo, registry -> containers-storage and containers-storage -> registry.
#
# Generates a LAYERS-layer OCI image (SIZE_MB of layer content, gzip level 1) with dev.kopi.testkit.TestImages,
# pushes it with skopeo to a docker-distribution registry on a loopback port, then RUNS times, interleaved
# (kopi, skopeo, kopi, ...):
#     1. pull: docker://REGISTRY/bench/src:v1 -> containers-storage:[vfs@FRESH_STORE]localhost/bench:v1
#     2. push: that store -> docker://REGISTRY/bench/TOOL-N:v1
# measuring wall time and peak RSS with /usr/bin/time -v, and prints the medians and kopi/skopeo ratios. Each pull
# goes to an empty store (vfs driver), so both tools create every layer. Not part of CI.
#
#   bench/storage-bench.sh                    # ~200 MiB image, 3 runs
#   SIZE_MB=50 RUNS=1 bench/storage-bench.sh  # quick run
#
# Environment: SIZE_MB (default 200), LAYERS (default 5), RUNS (default 3), WORK_DIR (default: a new dir under
# ${TMPDIR:-/tmp}), KEEP=1 keeps the work dir, KOPI (default: the repo's ./kopi launcher), SKOPEO (default: skopeo
# on PATH).
set -euo pipefail
BENCH=storage-bench
. "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib.sh"
SIZE_MB=${SIZE_MB:-200}
LAYERS=${LAYERS:-5}
RUNS=${RUNS:-3}
SKOPEO=${SKOPEO:-skopeo}
need_tool "$SKOPEO" skopeo

bench_workdir
bench_build_kopi
echo "== generating a ${LAYERS}-layer OCI image, ${SIZE_MB} MiB of layer content, in $WORK"
gen_layers "$WORK/src" bench 1
start_registry registry REG
echo "== registry on $REG; pushing the image with skopeo"
"$SKOPEO" --insecure-policy copy --quiet --dest-tls-verify=false "oci:$WORK/src:bench" "docker://$REG/bench/src:v1"

declare -A PULL PUSH RSS_MAX
for tool in kopi skopeo; do PULL[$tool]="" PUSH[$tool]="" RSS_MAX[$tool]=0; done
for ((run = 1; run <= RUNS; run++)); do
    echo "== run $run/$RUNS"
    for tool in kopi skopeo; do
        if [[ $tool == kopi ]]; then cmd=("$KOPI"); else cmd=("$SKOPEO"); fi
        store="containers-storage:[vfs@$WORK/$tool-store/root+$WORK/$tool-store/run]localhost/bench:v1"
        rm -rf "$WORK/$tool-store"
        read -r w r < <(measure "${cmd[@]}" --insecure-policy copy --quiet --src-tls-verify=false \
            "docker://$REG/bench/src:v1" "$store")
        PULL[$tool]+="$w "
        ((r > RSS_MAX[$tool])) && RSS_MAX[$tool]=$r
        printf '   %-6s pull %8.2f s  %7.1f MiB\n' "$tool" "$w" "$(calc "$r / 1024")"
        read -r w r < <(measure "${cmd[@]}" --insecure-policy copy --quiet --dest-tls-verify=false \
            "$store" "docker://$REG/bench/$tool-$run:v1")
        PUSH[$tool]+="$w "
        ((r > RSS_MAX[$tool])) && RSS_MAX[$tool]=$r
        printf '   %-6s push %8.2f s  %7.1f MiB\n' "$tool" "$w" "$(calc "$r / 1024")"
    done
done

# Both stores must hold the same image and layers.
k=$("$SKOPEO" inspect --raw "containers-storage:[vfs@$WORK/kopi-store/root+$WORK/kopi-store/run]localhost/bench:v1" | sha256sum)
s=$("$SKOPEO" inspect --raw "containers-storage:[vfs@$WORK/skopeo-store/root+$WORK/skopeo-store/run]localhost/bench:v1" | sha256sum)
same=no
[[ "$k" == "$s" ]] && cmp -s <(python3 -c 'import json,sys; print(sorted(l["id"] for l in json.load(open(sys.argv[1]))))' \
    "$WORK/kopi-store/root/vfs-layers/layers.json") <(python3 -c 'import json,sys; print(sorted(l["id"] for l in json.load(open(sys.argv[1]))))' \
    "$WORK/skopeo-store/root/vfs-layers/layers.json") && same=yes

echo
printf '%-40s %10s %10s %8s\n' "median wall time" "kopi s" "skopeo s" "ratio"
for dir in pull push; do
    if [[ $dir == pull ]]; then
        # shellcheck disable=SC2086
        k=$(median ${PULL[kopi]}) s=$(median ${PULL[skopeo]})
        label="registry -> containers-storage"
    else
        # shellcheck disable=SC2086
        k=$(median ${PUSH[kopi]}) s=$(median ${PUSH[skopeo]})
        label="containers-storage -> registry"
    fi
    printf '%-40s %10.2f %10.2f %8.2f\n' "$label" "$k" "$s" "$(calc "($s > 0) ? $k / $s : 0")"
done
echo "peak RSS: kopi $(printf '%.1f' "$(calc "${RSS_MAX[kopi]} / 1024")") MiB," \
    "skopeo $(printf '%.1f' "$(calc "${RSS_MAX[skopeo]} / 1024")") MiB"
echo "same image and layer IDs in both stores: $same"
