#!/usr/bin/env bash
# Copy benchmark: kopi vs skopeo on the same generated image, in the same run.
#
# Generates a 5-layer OCI image (SIZE_MB of layer content, pseudo-random and half compressible, gzip level 1) with
# dev.kopi.testkit.TestImages, then runs the chain
#     oci: -> dir: -> oci-archive: -> docker-archive:
# once with kopi and once with skopeo, step by step and interleaved (kopi step 1, skopeo step 1, ...), measuring wall
# time and peak RSS with /usr/bin/time -v. Not part of CI.
#
#   bench/copy-bench.sh                 # ~1 GiB image
#   SIZE_MB=50 bench/copy-bench.sh      # quick run
#
# Environment: SIZE_MB (default 1024), LAYERS (default 5), WORK_DIR (default: a new dir under ${TMPDIR:-/tmp}),
# KEEP=1 keeps the work dir, KOPI (default: the repo's ./kopi launcher), SKOPEO (default: skopeo on PATH).
set -euo pipefail
BENCH=copy-bench
. "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib.sh"
SIZE_MB=${SIZE_MB:-1024}
LAYERS=${LAYERS:-5}
SKOPEO=${SKOPEO:-skopeo}
need_tool "$SKOPEO" skopeo

bench_workdir
need_mb=$((SIZE_MB * 5))
free_mb=$(df -Pm "$WORK" | awk 'NR==2 {print $4}')
if ((free_mb < need_mb)); then
    echo "copy-bench: warning: $WORK has ${free_mb} MiB free; this run may need about ${need_mb} MiB" >&2
fi

bench_build_kopi
echo "== generating a ${LAYERS}-layer OCI image, ${SIZE_MB} MiB of layer content, in $WORK"
gen_start=$(date +%s.%N)
gen_layers "$WORK/src" bench 1
gen_end=$(date +%s.%N)
blob_mb=$(du -sm "$WORK/src/blobs" | cut -f1)
printf '   generated in %.1f s; %s MiB of blobs (gzip)\n' "$(calc "$gen_end - $gen_start")" "$blob_mb"

declare -A SRC DST
steps=("oci -> dir" "dir -> oci-archive" "oci-archive -> docker-archive")
for tool in kopi skopeo; do
    mkdir -p "$WORK/$tool"
    SRC[$tool,0]="oci:$WORK/src:bench"
    DST[$tool,0]="dir:$WORK/$tool/dir"
    SRC[$tool,1]="dir:$WORK/$tool/dir"
    DST[$tool,1]="oci-archive:$WORK/$tool/image-oci.tar:bench"
    SRC[$tool,2]="oci-archive:$WORK/$tool/image-oci.tar:bench"
    DST[$tool,2]="docker-archive:$WORK/$tool/image-docker.tar:kopi.bench/image:latest"
done

declare -A WALL RSS
for i in "${!steps[@]}"; do
    echo "== step $((i + 1)): ${steps[$i]}"
    for tool in kopi skopeo; do
        if [[ $tool == kopi ]]; then cmd=("$KOPI"); else cmd=("$SKOPEO"); fi
        read -r w r < <(measure "${cmd[@]}" --insecure-policy copy --quiet "${SRC[$tool,$i]}" "${DST[$tool,$i]}")
        WALL[$tool,$i]=$w
        RSS[$tool,$i]=$r
        printf '   %-6s %8.2f s  %7.1f MiB peak RSS\n' "$tool" "$w" "$(calc "$r / 1024")"
    done
    # Free space as soon as a step's input is no longer needed.
    if ((i == 1)); then rm -rf "$WORK/kopi/dir" "$WORK/skopeo/dir"; fi
done

same=no
k=$("$SKOPEO" inspect --raw "${DST[kopi,2]}" | sha256sum | cut -d' ' -f1)
s=$("$SKOPEO" inspect --raw "${DST[skopeo,2]}" | sha256sum | cut -d' ' -f1)
[[ "$k" == "$s" ]] && same=yes

echo
printf '%-32s %10s %10s %8s %14s %14s\n' "step" "kopi s" "skopeo s" "ratio" "kopi RSS MiB" "skopeo RSS MiB"
tk=0 ts=0 maxk=0 maxs=0
for i in "${!steps[@]}"; do
    k=${WALL[kopi,$i]} s=${WALL[skopeo,$i]}
    printf '%-32s %10.2f %10.2f %8.2f %14.1f %14.1f\n' "${steps[$i]}" "$k" "$s" \
        "$(calc "($s > 0) ? $k / $s : 0")" "$(calc "${RSS[kopi,$i]} / 1024")" "$(calc "${RSS[skopeo,$i]} / 1024")"
    tk=$(calc "$tk + $k") ts=$(calc "$ts + $s")
    ((RSS[kopi,$i] > maxk)) && maxk=${RSS[kopi,$i]}
    ((RSS[skopeo,$i] > maxs)) && maxs=${RSS[skopeo,$i]}
done
printf '%-32s %10.2f %10.2f %8.2f %14.1f %14.1f\n' "total (chain)" "$tk" "$ts" \
    "$(calc "($ts > 0) ? $tk / $ts : 0")" "$(calc "$maxk / 1024")" "$(calc "$maxs / 1024")"
echo
echo "kopi/skopeo wall-time ratio: $(printf '%.2f' "$(calc "($ts > 0) ? $tk / $ts : 0")")"
echo "kopi peak RSS: $(printf '%.1f' "$(calc "$maxk / 1024")") MiB"
echo "final docker-archive manifests identical (kopi vs skopeo): $same"
