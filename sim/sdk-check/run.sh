#!/usr/bin/env bash
# Runs VMware's official Python SDK (vmware-vcenter 9.1.1.0) against vapi-sim on 127.0.0.1:
# builds the simulator, starts it (plain HTTP, then HTTPS with its self-signed certificate),
# and runs a check script in a throwaway virtualenv. Exits non-zero if any case fails.
#
#   sim/sdk-check/run.sh                       # rest.py over HTTP and over HTTPS
#   sim/sdk-check/run.sh --tls                 # HTTPS only (--http: HTTP only)
#   sim/sdk-check/run.sh --tls vsphere_client.py   # another check script of this directory
#
# The SDK is a test oracle, never a dependency of the project: the virtualenv is made under
# target/sdk-venv from PyPI on first use. VAPI_SDK_VENV=/path/to/venv uses an existing one
# that has vmware-vcenter, vmware-vapi-runtime and vmware-vapi-common-client installed.
#
# A check script is run as `python SCRIPT --url BASE/api --item ITEM [--ca PEM]
# --subscribed-item ITEM --odd-item ITEM --restricted-user USER --pull` with VAPI_USER /
# VAPI_PASSWORD set (the restricted user has the same password and no privilege; --pull: serve
# PULL sources from 127.0.0.1); it prints PASS/FAIL lines and exits non-zero on any failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
schemes=(http https)
script=rest.py
for arg in "$@"; do
    case "$arg" in
        --tls) schemes=(https) ;;
        --http) schemes=(http) ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *.py) script="$arg" ;;
        *) echo "run.sh: unknown argument $arg" >&2; exit 2 ;;
    esac
done

sdk_version=9.1.1.0
venv="${VAPI_SDK_VENV:-$root/target/sdk-venv}"
if [ ! -x "$venv/bin/python" ]; then
    echo "== making $venv (vmware-vcenter $sdk_version from PyPI)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet \
        "vmware-vcenter==$sdk_version" \
        "vmware-vapi-runtime==$sdk_version" \
        "vmware-vapi-common-client==$sdk_version"
fi

echo "== building vapi-sim"
(cd "$root" && cargo build --quiet -p vapi-sim)
sim="$root/target/debug/vapi-sim"

work="$(mktemp -d "${TMPDIR:-/tmp}/vapi-sdk-check.XXXXXX")"
pid=""
stop() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        pid=""
    fi
}
trap 'stop; rm -rf "$work"' EXIT

export VAPI_USER=administrator@vsphere.local
export VAPI_PASSWORD="sdk-check-$RANDOM$RANDOM"
failed=0
for scheme in "${schemes[@]}"; do
    tls=()
    [ "$scheme" = https ] && tls=(--tls)
    out="$work/sim-$scheme.out"
    : >"$out" # exists before the background start writes to it (sed reads it at once)
    VAPI_SIM_PASSWORD="$VAPI_PASSWORD" RUST_LOG="${RUST_LOG:-warn}" "$sim" \
        --listen 127.0.0.1:0 --user "$VAPI_USER" "${tls[@]}" \
        --data-dir "$work/data-$scheme" \
        --item sdk-check-item --item sdk-check-odd \
        --subscribed-item sdk-check-subscribed \
        --limited-user "sdk-check-nobody@vsphere.local=" \
        >"$out" 2>"$work/sim-$scheme.log" &
    pid=$!
    url="" ca=""
    for _ in $(seq 100); do
        url="$(sed -n 's/^listening on \(.*\)$/\1/p' "$out")"
        ca="$(sed -n 's/^certificate: \(.*\)$/\1/p' "$out")"
        if [ -n "$url" ] && { [ "$scheme" = http ] || [ -n "$ca" ]; }; then break; fi
        kill -0 "$pid" 2>/dev/null || { cat "$work/sim-$scheme.log" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$url" ] || { echo "vapi-sim did not start" >&2; exit 1; }
    echo "== $script against $url${ca:+ (trusting $ca)}"
    args=(--url "$url" --item sdk-check-item --odd-item sdk-check-odd
        --subscribed-item sdk-check-subscribed --restricted-user sdk-check-nobody@vsphere.local
        --pull)
    [ -n "$ca" ] && args+=(--ca "$ca")
    if ! (cd "$here" && "$venv/bin/python" "$script" "${args[@]}"); then
        failed=1
        echo "== simulator log:" >&2
        tail -n 40 "$work/sim-$scheme.log" >&2
    fi
    stop
done
exit "$failed"
