# Shared pieces of the bench/ scripts. Source it after setting BENCH (the script's name, for messages):
#     BENCH=sync-bench; . "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib.sh"
# It sets ROOT (the repository) and KOPI (default: the repository's ./kopi launcher).
# shellcheck shell=bash
ROOT=$(cd "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd)
KOPI=${KOPI:-$ROOT/kopi}
JAR="$ROOT/kopi-cli/target/kopi.jar"
BENCH_PIDS=()

bench_fail() { echo "$BENCH: $*" >&2; exit 1; }
# Exits with the apt-get hint when a command is missing: need_tool COMMAND PACKAGE
need_tool() { [[ -n "$1" ]] && command -v "$1" >/dev/null || bench_fail "$1 is required: apt-get install $2"; }
calc() { awk "BEGIN { printf \"%.4f\", $* }"; }
median() { python3 -c 'import sys,statistics; print(f"{statistics.median(float(x) for x in sys.argv[1:]):.3f}")' "$@"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}' if $2 > 0 else '0')"; }

# WORK: WORK_DIR (must be empty) or a new directory under TMPDIR, removed at exit unless KEEP=1 (registries started
# by start_registry are stopped). HOME, TMPDIR and the XDG folders move into it, so neither tool reads the user's
# configuration and big temporary files stay there.
bench_workdir() {
    if [[ -n "${WORK_DIR:-}" ]]; then
        WORK=$(readlink -f -- "$WORK_DIR")
        mkdir -p "$WORK"
        [[ -z "$(ls -A "$WORK")" ]] || bench_fail "WORK_DIR $WORK must be empty"
    else
        WORK=$(mktemp -d "${TMPDIR:-/tmp}/kopi-$BENCH.XXXXXX")
    fi
    trap bench_cleanup EXIT
    export HOME="$WORK/home" TMPDIR="$WORK/tmp" XDG_CONFIG_HOME="$WORK/home/.config" XDG_RUNTIME_DIR="$WORK/run"
    mkdir -p "$HOME" "$TMPDIR" "$XDG_RUNTIME_DIR"
    export KOPI_JAVA_OPTS="${KOPI_JAVA_OPTS:-} -Djava.io.tmpdir=$TMPDIR -Duser.home=$HOME"
}
bench_cleanup() {
    for p in "${BENCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"
}

# Builds kopi and trains the launcher's AppCDS archive before anything is timed (the jar also holds the generators).
bench_build_kopi() {
    if [[ "$KOPI" == "$ROOT/kopi" ]]; then
        "$KOPI" --version >/dev/null
        export KOPI_NO_BUILD=1
    elif [[ ! -f "$JAR" ]]; then
        (cd "$ROOT" && mvn -q -B package -Dmaven.test.skip=true -pl kopi-cli -am) >&2
    fi
}

# A deterministic LAYERS-layer OCI image with SIZE_MB MiB of layer content (gzip level 1): gen_layers DIR TAG SEED
gen_layers() {
    ((SIZE_MB >= LAYERS)) || bench_fail "SIZE_MB must be at least LAYERS ($LAYERS)"
    local per_layer=$((SIZE_MB / LAYERS)) sizes=() i
    for ((i = 0; i < LAYERS; i++)); do sizes+=("${per_layer}m"); done
    java -XX:+UseSerialGC -cp "$JAR" dev.kopi.testkit.TestImages layers "$1" "$2" "$3" --gzip-level 1 "${sizes[@]}" \
        >/dev/null
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# A docker-registry (plain HTTP, deletes enabled) under WORK/NAME on a free loopback port; sets the variable VAR to
# its host:port: start_registry NAME VAR. Not in a command substitution: the process must be recorded in this shell
# for bench_cleanup to stop it.
start_registry() {
    local name=$1 var=$2 port
    need_tool docker-registry docker-registry
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
    BENCH_PIDS+=($!)
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break
        sleep 0.1
    done
    printf -v "$var" '%s' "127.0.0.1:$port"
}

# Runs a command with its output discarded; prints its wall time in seconds, or fails the bench with its stderr.
seconds() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >"$WORK/last.out" 2>"$WORK/last.err" || { cat "$WORK/last.err" >&2; bench_fail "failed: $*"; }
    t1=$(date +%s.%N)
    python3 -c "print(f'{$t1-$t0:.3f}')"
}

# Runs a command under GNU time -v; prints "seconds peak-rss-kib", or fails the bench with its output.
measure() {
    local out="$WORK/time.$$" rc=0
    [[ -x /usr/bin/time ]] || bench_fail "/usr/bin/time (GNU time) is required: apt-get install time"
    /usr/bin/time -v -o "$out" "$@" >"$WORK/step.log" 2>&1 || rc=$?
    if ((rc != 0)); then
        cat "$WORK/step.log" >&2
        bench_fail "failed (exit $rc): $*"
    fi
    local wall rss
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$out")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$out")
    # h:mm:ss or m:ss(.xx) -> seconds
    awk -v t="$wall" -v r="$rss" 'BEGIN { n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f %d\n", s, r }'
}
