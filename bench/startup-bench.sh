#!/usr/bin/env bash
# Start-up benchmark: kopi vs skopeo, a new (cold) process per run, median of RUNS runs after WARMUP runs.
#
# Two commands: `--version` and `inspect oci:examples/hello:latest`. Variants, measured interleaved (one run of each
# variant per round, so machine load hits them all alike):
#   skopeo            the reference
#   ./kopi            the repository launcher: SerialGC, C1 only, AppCDS archive (what users run)
#   java -jar         plain `java -jar kopi.jar` on Java 17, default GC and JIT, the JDK's default CDS only
#   j17 serial+C1     the launcher's flags without the AppCDS archive
#   j17 AppCDS        the launcher's flags with an archive trained here (same as ./kopi, without the bash launcher)
#   j25 java -jar     plain, on Java 25 (only when /usr/lib/jvm/temurin-25* or J25 exists)
#   j25 AOT cache     Java 25 with an AOT cache (JEP 483/514) trained here, SerialGC and C1 only
# Prints wall-time medians in ms, CPU (user+sys) medians, and each variant's ratio to skopeo.
#
#   bench/startup-bench.sh                 # RUNS=10 WARMUP=2
#   RUNS=20 bench/startup-bench.sh
#
# Environment: RUNS (10), WARMUP (2), SKOPEO (skopeo on PATH), JAVA_HOME (Java 17 for kopi, else java on PATH),
# J25 (a Java 25 `java`; default: /usr/lib/jvm/temurin-25*/bin/java), KEEP=1 keeps the work dir. Not part of CI.
set -euo pipefail

ROOT=$(dirname -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")")
RUNS=${RUNS:-10}
WARMUP=${WARMUP:-2}
SKOPEO=${SKOPEO:-$(command -v skopeo || true)}
[[ -n "$SKOPEO" && -x "$SKOPEO" ]] || { echo "startup-bench: skopeo is required: apt-get install skopeo" >&2; exit 1; }
if [[ -n "${JAVA_HOME:-}" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=$(command -v java); fi
if [[ -z "${J25:-}" ]]; then
    for j in /usr/lib/jvm/temurin-25*/bin/java; do [[ -x "$j" ]] && J25=$j && break; done
fi
J25=${J25:-}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kopi-startup.XXXXXX")
cleanup() { [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"; }
trap cleanup EXIT
# A private HOME and TMPDIR: neither tool reads the user's configuration.
export HOME="$WORK/home" TMPDIR="$WORK/tmp" XDG_CONFIG_HOME="$WORK/home/.config" XDG_RUNTIME_DIR="$WORK/run"
mkdir -p "$HOME" "$TMPDIR" "$XDG_RUNTIME_DIR"

# Build kopi and the launcher's AppCDS archive (trained on the first run after a build) before timing anything.
"$ROOT/kopi" --version >/dev/null
"$ROOT/kopi" inspect "oci:$ROOT/examples/hello:latest" >/dev/null
for _ in 1 2 3 4 5 6 7 8 9 10; do
    compgen -G "$ROOT/kopi-cli/target/kopi-java*.jsa" >/dev/null && break
    sleep 1 # a jar built elsewhere is trained in the background
done
export KOPI_NO_BUILD=1
JAR="$ROOT/kopi-cli/target/kopi.jar"
HELLO="oci:$ROOT/examples/hello:latest"

FAST=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off)
"$JAVA" "${FAST[@]}" -XX:ArchiveClassesAtExit="$WORK/kopi17.jsa" -jar "$JAR" inspect "$HELLO" >/dev/null 2>&1 || true

names=("skopeo" "./kopi" "java -jar" "j17 serial+C1" "j17 AppCDS")
cmds=("$SKOPEO" "$ROOT/kopi" "$JAVA -jar $JAR" "$JAVA ${FAST[*]} -jar $JAR"
    "$JAVA ${FAST[*]} -XX:SharedArchiveFile=$WORK/kopi17.jsa -jar $JAR")
if [[ -n "$J25" ]]; then
    "$J25" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:AOTCacheOutput="$WORK/kopi25.aot" -Xlog:aot=off -Xlog:cds=off \
        -jar "$JAR" inspect "$HELLO" >/dev/null 2>&1 || true
    names+=("j25 java -jar" "j25 AOT cache")
    cmds+=("$J25 -jar $JAR" "$J25 -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:AOTCache=$WORK/kopi25.aot -Xlog:aot=off -Xlog:cds=off -jar $JAR")
fi
for f in "$WORK/kopi17.jsa" ${J25:+"$WORK/kopi25.aot"}; do
    [[ -s "$f" ]] || echo "startup-bench: warning: $f was not created; that variant runs without it" >&2
done

TIMEFORMAT='%3R %3U %3S'
# run_one VARIANT-INDEX ARGS... -> appends "wall cpu" (seconds) to $WORK/times.<cmd>.<index>
run_one() {
    local i=$1 key=$2
    shift 2
    local t
    # shellcheck disable=SC2086 # the variant's command line is meant to be word-split
    t=$({ time ${cmds[$i]} "$@" >/dev/null 2>&1 </dev/null; } 2>&1) || true
    awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%.4f %.4f\n", a[1], a[2] + a[3] }' >>"$WORK/times.$key.$i"
}

median() { # median of column $2 of file $1
    sort -n -k"$2,$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

declare -A ARGS=([version]="--version" [inspect]="inspect $HELLO")
for key in version inspect; do
    # shellcheck disable=SC2206
    args=(${ARGS[$key]})
    for ((w = 0; w < WARMUP; w++)); do
        for i in "${!cmds[@]}"; do run_one "$i" warm "${args[@]}"; done
    done
    for ((r = 0; r < RUNS; r++)); do
        for i in "${!cmds[@]}"; do run_one "$i" "$key" "${args[@]}"; done
    done
done

printf 'kopi start-up vs skopeo: cold process, median of %d runs after %d warm-up runs, interleaved\n' "$RUNS" "$WARMUP"
printf 'java: %s; j25: %s; skopeo: %s\n' "$("$JAVA" -version 2>&1 | head -n 1)" \
    "${J25:+$("$J25" -version 2>&1 | head -n 1)}" "$("$SKOPEO" --version)"
printf 'load average at the end: %s\n\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-16s %14s %10s %10s %14s %10s %10s\n' "variant" "--version ms" "cpu ms" "x skopeo" "inspect ms" "cpu ms" \
    "x skopeo"
base_v=$(median "$WORK/times.version.0" 1)
base_i=$(median "$WORK/times.inspect.0" 1)
for i in "${!cmds[@]}"; do
    v=$(median "$WORK/times.version.$i" 1)
    vc=$(median "$WORK/times.version.$i" 2)
    n=$(median "$WORK/times.inspect.$i" 1)
    nc=$(median "$WORK/times.inspect.$i" 2)
    awk -v name="${names[$i]}" -v v="$v" -v vc="$vc" -v n="$n" -v nc="$nc" -v bv="$base_v" -v bn="$base_i" \
        'BEGIN { printf "%-16s %14.0f %10.0f %10.1f %14.0f %10.0f %10.1f\n", name, v * 1000, vc * 1000, v / bv, n * 1000, nc * 1000, n / bn }'
done
