#!/usr/bin/env bash
# Uploads a file of SIZE_MIB (default 1024) into vapi-sim with vapi-cl and downloads it back,
# over HTTP (and over HTTPS with --ca-cert when TLS=1), checking the bytes, and prints each
# process's wall time, throughput and peak RSS (GNU time's "Maximum resident set size").
#
#   cl/bench/transfer.sh            # 1 GiB over HTTP
#   SIZE_MIB=256 TLS=1 cl/bench/transfer.sh
#
# Builds the release binaries first. Scratch files go below target/vapi-transfer-bench/.
set -euo pipefail

SIZE_MIB=${SIZE_MIB:-1024}
TLS=${TLS:-0}
PORT=${PORT:-18643}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cargo build --release -q -p vapi-cl -p vapi-sim
bin=$root/target/release
work=$root/target/vapi-transfer-bench
rm -rf "$work"
mkdir -p "$work/data" "$work/out"

head -c $((SIZE_MIB << 20)) /dev/urandom > "$work/disk.bin"

sim_args=(--listen "127.0.0.1:$PORT" --item bench-item --data-dir "$work/data")
scheme=http
cl_tls=()
if [ "$TLS" = 1 ]; then
    sim_args+=(--tls)
    scheme=https
fi
/usr/bin/time -v -o "$work/sim.time" "$bin/vapi-sim" "${sim_args[@]}" > "$work/sim.out" 2> "$work/sim.log" &
time_pid=$!
# GNU time ignores SIGINT while it waits: signal the simulator itself.
for _ in $(seq 50); do
    sim_pid=$(pgrep -P "$time_pid" || true)
    if [ -n "$sim_pid" ]; then break; fi
    sleep 0.1
done
trap 'kill -INT $sim_pid 2>/dev/null || true' EXIT
ready=listening
if [ "$TLS" = 1 ]; then ready=certificate; fi
for _ in $(seq 300); do
    if grep -q "^$ready" "$work/sim.out" 2>/dev/null; then break; fi
    sleep 0.1
done
if [ "$TLS" = 1 ]; then
    cl_tls=(--ca-cert "$(sed -n 's/^certificate: //p' "$work/sim.out")")
fi

export VAPI_SERVER="$scheme://127.0.0.1:$PORT" VAPI_USER=administrator@vsphere.local
export VAPI_PASSWORD=vmware

report() { # name, time file
    local wall rss
    wall=$(grep "Elapsed (wall clock)" "$2" | awk '{print $NF}')
    rss=$(grep "Maximum resident set size" "$2" | awk '{print $NF}')
    secs=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
    printf '%-22s wall %8ss  %8.1f MiB/s  peak RSS %6.1f MiB\n' "$1" "$secs" \
        "$(echo "$SIZE_MIB $secs" | awk '{ print $1 / $2 }')" "$(echo "$rss" | awk '{ print $1 / 1024 }')"
}

/usr/bin/time -v -o "$work/upload.time" "$bin/vapi-cl" "${cl_tls[@]}" upload bench-item "$work/disk.bin" > /dev/null
/usr/bin/time -v -o "$work/download.time" "$bin/vapi-cl" "${cl_tls[@]}" download bench-item "$work/out" > /dev/null
cmp "$work/disk.bin" "$work/out/disk.bin"
kill -INT "$sim_pid"
wait "$time_pid" || true
trap - EXIT

echo "$SIZE_MIB MiB over $scheme, bytes identical"
report "vapi-cl upload" "$work/upload.time"
report "vapi-cl download" "$work/download.time"
printf '%-22s peak RSS %6.1f MiB\n' "vapi-sim (both)" \
    "$(grep "Maximum resident set size" "$work/sim.time" | awk '{ print $NF / 1024 }')"
rm -rf "$work"
