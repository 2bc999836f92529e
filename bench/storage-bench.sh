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
# on PATH), REGISTRY_BIN (default: docker-registry on PATH).
set -euo pipefail

ROOT=$(dirname -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")")
SIZE_MB=${SIZE_MB:-200}
LAYERS=${LAYERS:-5}
RUNS=${RUNS:-3}
KOPI=${KOPI:-$ROOT/kopi}
SKOPEO=${SKOPEO:-$(command -v skopeo || true)}
REGISTRY_BIN=${REGISTRY_BIN:-$(command -v docker-registry || true)}
TIME=/usr/bin/time

calc() { awk "BEGIN { printf \"%.4f\", $* }"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

[[ -x "$TIME" ]] || { echo "storage-bench: /usr/bin/time (GNU time) is required: apt-get install time" >&2; exit 1; }
[[ -n "$SKOPEO" && -x "$SKOPEO" ]] || { echo "storage-bench: skopeo is required: apt-get install skopeo" >&2; exit 1; }
[[ -n "$REGISTRY_BIN" && -x "$REGISTRY_BIN" ]] || {
    echo "storage-bench: docker-registry is required: apt-get install docker-registry" >&2
    exit 1
}
((SIZE_MB >= LAYERS)) || { echo "storage-bench: SIZE_MB must be at least LAYERS ($LAYERS)" >&2; exit 1; }

if [[ -n "${WORK_DIR:-}" ]]; then
    WORK=$(readlink -f -- "$WORK_DIR")
    mkdir -p "$WORK"
    [[ -z "$(ls -A "$WORK")" ]] || { echo "storage-bench: WORK_DIR $WORK must be empty" >&2; exit 1; }
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/kopi-storage-bench.XXXXXX")
fi
REGISTRY_PID=
cleanup() {
    [[ -z "$REGISTRY_PID" ]] || kill "$REGISTRY_PID" 2>/dev/null || true
    [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT

# A private HOME/TMPDIR so neither tool reads the user's configuration, and big temporary files stay in WORK.
export HOME="$WORK/home" TMPDIR="$WORK/tmp" XDG_CONFIG_HOME="$WORK/home/.config" XDG_RUNTIME_DIR="$WORK/run"
mkdir -p "$HOME" "$TMPDIR" "$XDG_RUNTIME_DIR"
export KOPI_JAVA_OPTS="${KOPI_JAVA_OPTS:-} -Djava.io.tmpdir=$TMPDIR -Duser.home=$HOME"

JAR="$ROOT/kopi-cli/target/kopi.jar"
if [[ "$KOPI" == "$ROOT/kopi" ]]; then
    "$KOPI" --version >/dev/null
    export KOPI_NO_BUILD=1
elif [[ ! -f "$JAR" ]]; then
    (cd "$ROOT" && mvn -q -B package -Dmaven.test.skip=true -pl kopi-cli -am) >&2
fi

per_layer=$((SIZE_MB / LAYERS))
sizes=()
for ((i = 0; i < LAYERS; i++)); do sizes+=("${per_layer}m"); done
echo "== generating a ${LAYERS}-layer OCI image, ${SIZE_MB} MiB of layer content, in $WORK"
java -XX:+UseSerialGC -cp "$JAR" dev.kopi.testkit.TestImages layers "$WORK/src" bench 1 --gzip-level 1 "${sizes[@]}" >/dev/null

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$WORK/registry"
cat >"$WORK/registry.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $WORK/registry
http:
  addr: 127.0.0.1:$port
EOF
"$REGISTRY_BIN" serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
REGISTRY_PID=$!
for _ in $(seq 50); do
    curl -fs "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break
    sleep 0.1
done
REG="127.0.0.1:$port"
echo "== registry on $REG; pushing the image with skopeo"
"$SKOPEO" --insecure-policy copy --quiet --dest-tls-verify=false "oci:$WORK/src:bench" "docker://$REG/bench/src:v1"

measure() {
    local out="$WORK/time.$$" rc=0
    "$TIME" -v -o "$out" "$@" >"$WORK/step.log" 2>&1 || rc=$?
    if ((rc != 0)); then
        echo "storage-bench: failed (exit $rc): $*" >&2
        cat "$WORK/step.log" >&2
        exit 1
    fi
    local wall rss
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$out")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$out")
    awk -v t="$wall" -v r="$rss" 'BEGIN { n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f %d\n", s, r }'
}

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
