#!/usr/bin/env bash
# Whole-process, build-script and compile-time figures for BENCHMARKS.md (the in-process figures
# are `cargo bench -p vapi-bench`). Needs /usr/bin/time (GNU time). Prints one line per figure,
# each the median of RUNS runs (wall seconds, peak RSS in MB; the wall time of the process as
# measured around /usr/bin/time, which adds about a millisecond).
#
#   bench/run.sh [SIZES...]       default sizes: 1 10 100 1000
#
# Environment: RUNS (default 5; N >= 100 runs 3 times, N = 1000 once), WORK (scratch directory,
# default target/vapi-bench), DEBUG_MAX_N (largest N for the unoptimised binary, default 10),
# CHECK_MAX_N (largest N whose no-op regenerate and --check are timed besides the fresh one,
# default 100), COMPILE_MAX_N (largest N whose generated crate is compiled beside tonic's,
# default 10), PHASES_MAX_N (largest N for the in-process phase timings of `vapi-bench-driver
# phases`, default 100), PAIRS (interleaved pairs of the N = 1 whole-process ratio, default 15),
# COMPILE_PAIRS (interleaved clean builds of ours and tonic's crate, default 3),
# SKIP_BUILDRS=1, SKIP_COMPILE=1, CALLGRIND=1 (instruction counts, which do not depend on the
# load of a shared machine: ours and tonic-prost-build at N = 1, and the build script's, each
# with its busiest thread; needs valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SIZES=("${@:-1 10 100 1000}")
read -r -a SIZES <<<"${SIZES[*]}"
RUNS=${RUNS:-5}
WORK=${WORK:-$ROOT/target/vapi-bench}
DEBUG_MAX_N=${DEBUG_MAX_N:-10}
COMPILE_MAX_N=${COMPILE_MAX_N:-10}
PHASES_MAX_N=${PHASES_MAX_N:-100}
CHECK_MAX_N=${CHECK_MAX_N:-100}
PAIRS=${PAIRS:-15}
COMPILE_PAIRS=${COMPILE_PAIRS:-3}
mkdir -p "$WORK"

say() { printf '%s\n' "$*"; }

# median WALL and max RSS of a command run $1 times; $2.. the command. A command prefixed with
# `PRE=cmd` runs cmd (untimed) before each run.
measure() {
  local runs=$1
  shift
  local walls=() rsss=() i out
  for ((i = 0; i < runs; i++)); do
    if [[ -n ${PRE:-} ]]; then eval "$PRE"; fi
    local t0=$EPOCHREALTIME
    /usr/bin/time -f '%M' -o "$WORK/time.txt" "$@" >/dev/null 2>&1 || true
    local t1=$EPOCHREALTIME
    out=$(tail -1 "$WORK/time.txt")
    walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')")
    rsss+=("$out")
  done
  local wall rss
  wall=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  rss=$(printf '%s\n' "${rsss[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)]/1024}')
  printf '%ss %sMB (median of %s)' "$wall" "$rss" "$runs"
}

runs_for() {
  if (($1 >= 1000)); then echo 1; elif (($1 >= 100)); then echo 3; else echo "$RUNS"; fi
}

say "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
say "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
say "# $(rustc --version)"

# Two builds: with `--bin vapi-bench-driver` beside it, `-p vapi-codegen` builds its library
# only, and the figures below would time whatever vapi-codegen binary an earlier build left.
cargo build -q --locked --release -p vapi-codegen
cargo build -q --locked --release -p vapi-bench --bin vapi-bench-driver
cargo build -q --locked -p vapi-codegen
REL=$ROOT/target/release/vapi-codegen
DBG=$ROOT/target/debug/vapi-codegen
DRIVER=$ROOT/target/release/vapi-bench-driver

# --- whole process, N = 1: ours / tonic-prost-build, interleaved pairs -----------------------
# One run of each after the other, PAIRS times, so that both see the same load; the ratio of
# each pair, then the median of the ratios.
"$DRIVER" proto 1 "$WORK/proto-pairs"
ratios=() ours=() theirs=()
for ((i = 0; i < PAIRS; i++)); do
  rm -rf "$WORK/pairs-out" "$WORK/pairs-pout"
  t0=$EPOCHREALTIME
  "$REL" --idl "$ROOT/idl" --out "$WORK/pairs-out" >/dev/null 2>&1
  t1=$EPOCHREALTIME
  "$DRIVER" tonic "$WORK/proto-pairs" "$WORK/pairs-pout" >/dev/null 2>&1
  t2=$EPOCHREALTIME
  ours+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b - a}')")
  theirs+=("$(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.4f", b - a}')")
  ratios+=("$(awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {printf "%.3f", (b - a) / (c - b)}')")
done
med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
say "N=1 whole process, $PAIRS interleaved pairs: ours $(med "${ours[@]}")s, tonic-prost-build $(med "${theirs[@]}")s (medians); ratio median $(med "${ratios[@]}") (min $(printf '%s\n' "${ratios[@]}" | sort -g | head -1), max $(printf '%s\n' "${ratios[@]}" | sort -g | tail -1))"
rm -rf "$WORK/pairs-out" "$WORK/pairs-pout" "$WORK/proto-pairs"

# --- instruction counts (callgrind), N = 1 and the build script -----------------------------
# Total and busiest thread: the total is the CPU work, the busiest thread bounds the wall time
# on an idle machine with enough cores.
instructions() {
  local out=$WORK/callgrind
  rm -rf "$out"
  mkdir -p "$out"
  valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$out/cg" "$@" >/dev/null 2>&1 || true
  grep -h '^totals:' "$out"/cg* | awk '{t += $2; if ($2 > m) m = $2} END {printf "%.1f M instructions (busiest thread %.1f M)", t / 1e6, m / 1e6}'
  rm -rf "$out"
}
if [[ -n ${CALLGRIND:-} ]]; then
  "$DRIVER" proto 1 "$WORK/proto-cg"
  rm -rf "$WORK/cg-out" "$WORK/cg-pout"
  say "N=1 callgrind ours: $(instructions "$REL" --idl "$ROOT/idl" --out "$WORK/cg-out")"
  say "N=1 callgrind tonic-prost-build (protoc not counted): $(instructions "$DRIVER" tonic "$WORK/proto-cg" "$WORK/cg-pout")"
  rm -rf "$WORK/cg-out" "$WORK/cg-pout" "$WORK/proto-cg"
fi

# --- whole process: regenerate (fresh and no-op) and --check --------------------------------
for n in "${SIZES[@]}"; do
  idl=$WORK/idl-$n
  out=$WORK/out-$n
  "$DRIVER" synth "$n" "$idl"
  r=$(runs_for "$n")
  for build in release debug; do
    bin=$REL
    if [[ $build == debug ]]; then
      bin=$DBG
      ((n <= DEBUG_MAX_N)) || continue
    fi
    rm -rf "$out"
    say "N=$n $build regenerate-fresh: $(PRE="rm -rf '$out'" measure "$r" "$bin" --idl "$idl" --out "$out")"
    ((n <= CHECK_MAX_N)) || continue
    say "N=$n $build regenerate-noop:  $(measure "$r" "$bin" --idl "$idl" --out "$out")"
    say "N=$n $build check:            $(measure "$r" "$bin" --check --idl "$idl" --out "$out")"
  done
  rm -rf "$out"
  # The anchors on the equivalent .proto files, in the same run.
  pdir=$WORK/proto-$n
  "$DRIVER" proto "$n" "$pdir"
  say "N=$n anchor prost-build (types) process:          $(PRE="rm -rf '$WORK/pout'" measure "$r" "$DRIVER" prost "$pdir" "$WORK/pout")"
  say "N=$n anchor tonic-prost-build (types+client+server) process: $(PRE="rm -rf '$WORK/pout'" measure "$r" "$DRIVER" tonic "$pdir" "$WORK/pout")"
  rm -rf "$WORK/pout" "$pdir"
  # In-process phase medians (release).
  # (It holds every phase's output at once, so it stops at PHASES_MAX_N.)
  if ((n <= PHASES_MAX_N)); then say "$("$DRIVER" phases "$n" "$r")"; fi
done

# --- build.rs: the consumer crate, clean and no-op ------------------------------------------
if [[ -z ${SKIP_BUILDRS:-} ]]; then
  cargo build -q --locked -p vapi-build-consumer -p vapi-runtime
  say "build.rs consumer clean build: $(PRE='cargo clean -q -p vapi-build-consumer' measure "$RUNS" cargo build -q --locked -p vapi-build-consumer)"
  say "build.rs consumer no-op rebuild: $(measure "$RUNS" cargo build -q --locked -p vapi-build-consumer)"
  say "no-op rebuild of vapi-runtime (no build script), for comparison: $(measure "$RUNS" cargo build -q --locked -p vapi-runtime)"
  if cargo build --locked -v -p vapi-build-consumer 2>&1 | grep -q 'Running.*vapi-build-consumer.*build-script-build'; then
    say "build.rs consumer no-op: the build script RAN (it must not)"
  else
    say "build.rs consumer no-op: the build script did not run"
  fi
  # The build script's own run: the generator in an unoptimised build, as cargo runs it.
  # The newest: target/debug/build keeps the build scripts of earlier builds too.
  script=$(find "$ROOT/target/debug/build" -path '*vapi-build-consumer-*/build-script-build' -type f -printf '%T@ %p\n' | sort -rn | head -1 | cut -d' ' -f2-)
  if [[ -n $script ]]; then
    tmp=$WORK/buildrs-out
    mkdir -p "$tmp"
    say "build.rs script run (unoptimised, 2 IDLs): $(cd "$ROOT/tests/build-script-consumer" && measure "$RUNS" env OUT_DIR="$tmp" "$script")"
    if [[ -n ${CALLGRIND:-} ]]; then
      say "build.rs script run, callgrind: $(cd "$ROOT/tests/build-script-consumer" && OUT_DIR="$tmp" instructions "$script")"
    fi
  fi
fi

# --- compile time of the generated crate, beside tonic-prost-build's output ------------------
# Our crate (client + server) and a crate of tonic-prost-build's output for the equivalent
# .proto (prost + tonic, client + server), each with its dependencies built, cleaned and built
# again (debug) one after the other, 3 times.
if [[ -z ${SKIP_COMPILE:-} ]]; then
  export CARGO_TARGET_DIR=$WORK/target-gen
  for n in "${SIZES[@]}"; do
    ((n <= COMPILE_MAX_N)) || continue
    crate=$WORK/gen-$n
    rm -rf "$crate"
    mkdir -p "$crate"
    "$DRIVER" synth "$n" "$WORK/idl-$n"
    "$REL" --idl "$WORK/idl-$n" --out "$crate/src" >/dev/null
    cat >"$crate/Cargo.toml" <<EOF
[package]
name = "vapi-bindings-n$n"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
serde = { version = "1", features = ["derive"] }
vapi-runtime = { path = "$ROOT/runtime" }

[features]
default = []
client = ["vapi-runtime/client"]
server = ["vapi-runtime/server"]

[workspace]
EOF
    cp "$ROOT/Cargo.lock" "$crate/Cargo.lock"
    (cd "$crate" && cargo build -q --features client,server >/dev/null 2>&1) || true
    # tonic's crate: its generated files, one module per package, included.
    tcrate=$WORK/tonic-$n
    rm -rf "$tcrate"
    mkdir -p "$tcrate/src" "$tcrate/gen"
    "$DRIVER" proto "$n" "$WORK/proto-$n"
    "$DRIVER" tonic "$WORK/proto-$n" "$tcrate/gen" >/dev/null
    rm -rf "$WORK/proto-$n"
    cat >"$tcrate/Cargo.toml" <<EOF
[package]
name = "tonic-anchor-n$n"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
prost = "0.14"
tonic = "0.14"
tonic-prost = "0.14"

[workspace]
EOF
    {
      echo '#![allow(warnings, clippy::all)]'
      prev=()
      for f in $(cd "$tcrate/gen" && ls ./*.rs | sed 's|^\./||; s|\.rs$||' | LC_ALL=C sort); do
        IFS=. read -r -a segs <<<"$f"
        common=0
        while ((common < ${#prev[@]} && common < ${#segs[@]})) && [[ ${prev[common]} == "${segs[common]}" ]]; do
          common=$((common + 1))
        done
        for ((k = ${#prev[@]}; k > common; k--)); do echo '}'; done
        for ((k = common; k < ${#segs[@]}; k++)); do echo "pub mod ${segs[k]} {"; done
        echo "include!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/gen/$f.rs\"));"
        prev=("${segs[@]}")
      done
      for ((k = ${#prev[@]}; k > 0; k--)); do echo '}'; done
    } >"$tcrate/src/lib.rs"
    (cd "$tcrate" && cargo build -q >/dev/null 2>&1) || say "N=$n tonic crate does not build"
    ours_t=() tonic_t=()
    for ((i = 0; i < COMPILE_PAIRS; i++)); do
      ours_t+=("$(cd "$crate" && PRE="cargo clean -q -p vapi-bindings-n$n" measure 1 cargo build -q --features client,server | cut -d' ' -f1)")
      tonic_t+=("$(cd "$tcrate" && PRE="cargo clean -q -p tonic-anchor-n$n" measure 1 cargo build -q | cut -d' ' -f1)")
    done
    say "N=$n compile generated crate (client+server, debug, $(find "$crate/src" -name '*.rs' -exec cat {} + | wc -l) lines), $COMPILE_PAIRS runs: ${ours_t[*]} (median ${ours_t[*]:+$(med "${ours_t[@]//s/}")}s)"
    say "N=$n compile tonic-prost-build's crate (client+server, debug, $(find "$tcrate/gen" -name '*.rs' -exec cat {} + | wc -l) lines), $COMPILE_PAIRS runs interleaved with ours: ${tonic_t[*]} (median ${tonic_t[*]:+$(med "${tonic_t[@]//s/}")}s)"
    t=$(cd "$crate" && PRE="cargo clean -q -p vapi-bindings-n$n" measure 3 cargo build -q)
    say "N=$n compile generated crate (types+traits, debug): $t"
  done
  unset CARGO_TARGET_DIR
fi
say "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
