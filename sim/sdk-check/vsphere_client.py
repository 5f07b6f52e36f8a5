#!/usr/bin/env python3
"""VMware's stock Python SDK, as users configure it, against vapi-sim: vAPI JSON-RPC over HTTPS.

    python3 sim/sdk-check/vsphere_client.py                      # builds and starts vapi-sim --tls
    python3 sim/sdk-check/vsphere_client.py --server 127.0.0.1:8443 --ca-cert /tmp/.../certificate.pem

`create_vsphere_client(server, username, password, session=requests_session)` logs in through
`com.vmware.cis.session` and calls every one of the 30 operations of the Content Library item
services (Changes, DownloadSession, File, Storage, UpdateSession and the sessions' File services)
with their documented errors, and uploads and downloads a file through an update and a download
session. The `requests.Session` trusts the simulator's self-signed certificate (`verify` = the
PEM it printed; `--insecure` sets `verify = False`). Prints one line per check and a table of the
operations; exits 1 if any check failed.

The SDK is a test oracle, not a dependency: run with a Python that has it (VAPI_SDK_VENV=DIR
names a virtualenv to use), or the script makes a throwaway virtualenv under
target/sdk-check-venv and installs vmware-vcenter, vmware-vapi-runtime and
vmware-vapi-common-client 9.1.1.0 from PyPI into it.
"""

import argparse
import hashlib
import os
import subprocess
import sys
import time
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SDK_VERSION = "9.1.1.0"
SDK_PACKAGES = [
    f"vmware-vcenter=={SDK_VERSION}",
    f"vmware-vapi-runtime=={SDK_VERSION}",
    f"vmware-vapi-common-client=={SDK_VERSION}",
]


def ensure_sdk():
    """Re-runs this script with a Python that has the SDK, making a virtualenv if needed."""
    try:
        import vmware.vapi.vsphere.client  # noqa: F401

        return
    except ImportError:
        pass
    if os.environ.get("VAPI_SDK_CHECK_REEXEC"):
        sys.exit("the SDK is still not importable after installing it")
    venv = os.environ.get("VAPI_SDK_VENV") or os.path.join(REPO, "target", "sdk-check-venv")
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        if os.environ.get("VAPI_SDK_VENV"):
            sys.exit(f"VAPI_SDK_VENV={venv} has no bin/python")
        print(f"making a throwaway virtualenv in {venv} (PyPI: {', '.join(SDK_PACKAGES)})")
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", *SDK_PACKAGES], check=True)
    env = dict(os.environ, VAPI_SDK_CHECK_REEXEC="1")
    os.execve(python, [python, os.path.abspath(__file__), *sys.argv[1:]], env)


def start_simulator(item):
    """Builds and starts `vapi-sim --tls` on a free port: (process, "host:port", certificate)."""
    subprocess.run(["cargo", "build", "-q", "-p", "vapi-sim", "--bin", "vapi-sim"], cwd=REPO, check=True)
    binary = os.path.join(REPO, "target", "debug", "vapi-sim")
    proc = subprocess.Popen(
        [binary, "--tls", "--listen", "127.0.0.1:0", "--item", item],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    address = certificate = None
    deadline = time.monotonic() + 30
    while (address is None or certificate is None) and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("listening on https://"):
            address = line.split("https://", 1)[1].split("/", 1)[0]
        elif line.startswith("certificate: "):
            certificate = line.split(": ", 1)[1].strip()
    if address is None or certificate is None:
        proc.kill()
        sys.exit("vapi-sim did not print its address and certificate")
    return proc, address, certificate


class Checks:
    """Each check prints a line; each operation is marked when a call of it did what it should."""

    def __init__(self):
        self.failures = []
        self.operations = {}

    def run(self, what, operation, fn):
        try:
            result = fn()
        except Exception as e:  # noqa: BLE001 - the report names it
            self.failures.append(what)
            self.operations.setdefault(operation, False)
            print(f"FAIL {what}: {type(e).__name__}: {e}")
            return None
        self.operations[operation] = self.operations.get(operation, True)
        print(f"ok   {what}")
        return result

    def expect(self, what, operation, error, fn):
        """`fn` must raise the SDK's exception class `error` (the vAPI error it documents)."""

        def call():
            try:
                fn()
            except error:
                return
            raise AssertionError(f"expected {error.__name__}")

        self.run(f"{what} raises {error.__name__}", operation, call)


def equal(got, want):
    if got != want:
        raise AssertionError(f"{got!r} != {want!r}")
    return got


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--server", help="host:port of a running vapi-sim --tls (default: start one)")
    parser.add_argument("--ca-cert", help="the PEM vapi-sim printed after `certificate:`")
    parser.add_argument("--insecure", action="store_true", help="verify no certificate")
    parser.add_argument("--item", default="sdk-item", help="a library item the simulator has")
    parser.add_argument("--user", default="administrator@vsphere.local")
    args = parser.parse_args()
    password = os.environ.get("VAPI_SIM_PASSWORD", "vmware")

    ensure_sdk()
    import requests
    from com.vmware.content.library.item.downloadsession_client import File as DownloadFile
    from com.vmware.content.library.item.updatesession_client import File as UpdateFile
    from com.vmware.content.library.item_client import DownloadSessionModel, UpdateSessionModel
    from com.vmware.vapi.std.errors_client import (
        InvalidArgument,
        NotAllowedInCurrentState,
        NotFound,
        ResourceBusy,
        Unauthenticated,
    )
    from vmware.vapi.vsphere.client import create_vsphere_client

    proc = None
    if args.server:
        server, certificate = args.server, args.ca_cert
    else:
        proc, server, certificate = start_simulator(args.item)
        print(f"started vapi-sim --tls on {server}, certificate {certificate}")
    item = args.item

    def session():
        s = requests.Session()
        s.verify = False if args.insecure else (certificate or True)
        # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE win over `verify` set on a session.
        s.trust_env = False
        return s

    checks = Checks()
    try:
        http = session()
        client = create_vsphere_client(server, args.user, password, session=http)
        print(f"ok   create_vsphere_client: logged in through com.vmware.cis.session (session {client.session_id[:8]}…)")
        checks.run("cis.Session.get", "cis.session.get",
                   lambda: equal(client.session_svc.get().user, args.user))

        def bad_login():
            create_vsphere_client(server, args.user, "wrong-" + password, session=session())

        checks.expect("create_vsphere_client with a wrong password", "cis.session.create", Unauthenticated, bad_login)
        api = client.content.library.item
        dfile, ufile = api.downloadsession.File, api.updatesession.File

        # Upload: UpdateSession create → File add → PUT → validate → complete.
        token = str(uuid.uuid4())
        spec = UpdateSessionModel(library_item_id=item)
        u = checks.run("UpdateSession.create", "UpdateSession.create",
                       lambda: api.UpdateSession.create(client_token=token, create_spec=spec))
        checks.run("UpdateSession.create with the same client token", "UpdateSession.create",
                   lambda: equal(api.UpdateSession.create(client_token=token, create_spec=spec), u))
        checks.expect("UpdateSession.create on a busy item", "UpdateSession.create", ResourceBusy,
                      lambda: api.UpdateSession.create(client_token=None, create_spec=spec))
        checks.run("UpdateSession.get", "UpdateSession.get",
                   lambda: equal(str(api.UpdateSession.get(u).state), "ACTIVE"))
        checks.run("UpdateSession.list", "UpdateSession.list",
                   lambda: equal(api.UpdateSession.list(library_item_id=item), [u]))
        checks.run("UpdateSession.update", "UpdateSession.update",
                   lambda: api.UpdateSession.update(u, UpdateSessionModel()))
        checks.run("UpdateSession.keep_alive", "UpdateSession.keep_alive",
                   lambda: api.UpdateSession.keep_alive(u, client_progress=10))
        data = os.urandom(256 * 1024) + b"vapi-sim"
        added = checks.run("updatesession.File.add", "updatesession.File.add", lambda: ufile.add(
            u, UpdateFile.AddSpec(name="disk.bin", source_type=UpdateFile.SourceType.PUSH, size=len(data))))
        checks.run("updatesession.File.get", "updatesession.File.get",
                   lambda: equal(ufile.get(u, "disk.bin").name, "disk.bin"))
        checks.expect("updatesession.File.get of a missing file", "updatesession.File.get", InvalidArgument,
                      lambda: ufile.get(u, "absent.bin"))
        checks.run("updatesession.File.list", "updatesession.File.list",
                   lambda: equal([f.name for f in ufile.list(u)], ["disk.bin"]))
        checks.run("updatesession.File.validate before the upload", "updatesession.File.validate",
                   lambda: equal(ufile.validate(u).missing_files, {"disk.bin"}))
        checks.expect("UpdateSession.complete with a missing file", "UpdateSession.complete",
                      NotAllowedInCurrentState, lambda: api.UpdateSession.complete(u))

        def upload():
            r = http.put(added.upload_endpoint.uri, data=data,
                         headers={"vmware-api-session-id": client.session_id})
            if r.status_code >= 300:
                raise AssertionError(f"PUT answered {r.status_code}: {r.text[:200]}")

        checks.run("PUT the bytes to the upload endpoint", "upload", upload)
        checks.run("updatesession.File.validate after the upload", "updatesession.File.validate",
                   lambda: equal(ufile.validate(u).has_errors, False))
        ufile.add(u, UpdateFile.AddSpec(name="extra.bin", source_type=UpdateFile.SourceType.PUSH))
        checks.run("updatesession.File.remove", "updatesession.File.remove",
                   lambda: ufile.remove(u, "extra.bin"))
        checks.expect("updatesession.File.remove of a removed file", "updatesession.File.remove",
                      InvalidArgument, lambda: ufile.remove(u, "extra.bin"))
        checks.expect("UpdateSession.delete of an active session", "UpdateSession.delete",
                      NotAllowedInCurrentState, lambda: api.UpdateSession.delete(u))
        checks.run("UpdateSession.complete", "UpdateSession.complete", lambda: api.UpdateSession.complete(u))
        checks.expect("UpdateSession.fail of a done session", "UpdateSession.fail",
                      NotAllowedInCurrentState, lambda: api.UpdateSession.fail(u, "x"))
        checks.run("UpdateSession.delete", "UpdateSession.delete", lambda: api.UpdateSession.delete(u))
        checks.expect("UpdateSession.get of a deleted session", "UpdateSession.get", NotFound,
                      lambda: api.UpdateSession.get(u))

        # Sessions that end otherwise: cancel, fail.
        c = api.UpdateSession.create(client_token=None, create_spec=spec)
        checks.run("UpdateSession.cancel", "UpdateSession.cancel", lambda: api.UpdateSession.cancel(c))
        checks.expect("UpdateSession.cancel of a canceled session", "UpdateSession.cancel",
                      NotAllowedInCurrentState, lambda: api.UpdateSession.cancel(c))
        api.UpdateSession.delete(c)
        f = api.UpdateSession.create(client_token=None, create_spec=spec)
        checks.run("UpdateSession.fail", "UpdateSession.fail", lambda: api.UpdateSession.fail(f, "gave up"))
        checks.expect("UpdateSession.keep_alive of a failed session", "UpdateSession.keep_alive",
                      NotAllowedInCurrentState, lambda: api.UpdateSession.keep_alive(f))
        api.UpdateSession.delete(f)
        checks.expect("UpdateSession.create for a missing item", "UpdateSession.create", NotFound,
                      lambda: api.UpdateSession.create(create_spec=UpdateSessionModel(library_item_id="no-such-item")))

        # The item: File, Storage, Changes.
        checks.run("File.list", "File.list", lambda: equal([x.name for x in api.File.list(item)], ["disk.bin"]))
        checks.run("File.get", "File.get", lambda: equal(api.File.get(item, "disk.bin").size, len(data)))
        checks.expect("File.get of a missing file", "File.get", NotFound, lambda: api.File.get(item, "absent.bin"))
        checks.expect("File.list of a missing item", "File.list", NotFound, lambda: api.File.list("no-such-item"))
        checks.run("Storage.list", "Storage.list", lambda: equal(len(api.Storage.list(item)), 1))
        checks.run("Storage.get", "Storage.get",
                   lambda: equal(api.Storage.get(item, "disk.bin")[0].name, "disk.bin"))
        checks.expect("Storage.get of a missing file", "Storage.get", NotFound,
                      lambda: api.Storage.get(item, "absent.bin"))
        changes = checks.run("Changes.list", "Changes.list", lambda: api.Changes.list(item))
        if changes:
            checks.run("Changes.get", "Changes.get", lambda: api.Changes.get(item, changes[0].version))
        checks.expect("Changes.get of a missing version", "Changes.get", NotFound,
                      lambda: api.Changes.get(item, "999999"))
        checks.expect("Changes.list of a missing item", "Changes.list", NotFound,
                      lambda: api.Changes.list("no-such-item"))

        # Download: DownloadSession create → File list → prepare → poll get → GET.
        d = checks.run("DownloadSession.create", "DownloadSession.create",
                       lambda: api.DownloadSession.create(create_spec=DownloadSessionModel(library_item_id=item)))
        checks.expect("DownloadSession.create for a missing item", "DownloadSession.create", NotFound,
                      lambda: api.DownloadSession.create(create_spec=DownloadSessionModel(library_item_id="no-such-item")))
        checks.run("DownloadSession.get", "DownloadSession.get",
                   lambda: equal(api.DownloadSession.get(d).library_item_id, item))
        checks.run("DownloadSession.list", "DownloadSession.list",
                   lambda: equal(d in api.DownloadSession.list(library_item_id=item), True))
        checks.expect("DownloadSession.list for a missing item", "DownloadSession.list", NotFound,
                      lambda: api.DownloadSession.list(library_item_id="no-such-item"))
        checks.run("DownloadSession.keep_alive", "DownloadSession.keep_alive",
                   lambda: api.DownloadSession.keep_alive(d, progress=5))
        checks.run("downloadsession.File.list", "downloadsession.File.list",
                   lambda: equal([x.name for x in dfile.list(d)], ["disk.bin"]))
        checks.run("downloadsession.File.prepare", "downloadsession.File.prepare",
                   lambda: dfile.prepare(d, "disk.bin", DownloadFile.EndpointType.HTTPS))
        checks.expect("downloadsession.File.prepare of a missing file", "downloadsession.File.prepare",
                      InvalidArgument, lambda: dfile.prepare(d, "absent.bin"))
        checks.expect("downloadsession.File.get of a missing file", "downloadsession.File.get",
                      InvalidArgument, lambda: dfile.get(d, "absent.bin"))

        def prepared():
            for _ in range(100):
                info = dfile.get(d, "disk.bin")
                if str(info.status) == "PREPARED":
                    return info
                time.sleep(0.05)
            raise AssertionError(f"still {info.status}")

        info = checks.run("downloadsession.File.get until PREPARED", "downloadsession.File.get", prepared)

        def download():
            r = http.get(info.download_endpoint.uri, headers={"vmware-api-session-id": client.session_id})
            if r.status_code != 200:
                raise AssertionError(f"GET answered {r.status_code}")
            equal(hashlib.sha256(r.content).hexdigest(), hashlib.sha256(data).hexdigest())

        if info:
            checks.run("GET the bytes from the download endpoint (SHA-256 equal)", "download", download)
        checks.run("DownloadSession.fail", "DownloadSession.fail", lambda: api.DownloadSession.fail(d, "done"))
        checks.expect("DownloadSession.cancel of a failed session", "DownloadSession.cancel",
                      NotAllowedInCurrentState, lambda: api.DownloadSession.cancel(d))
        checks.run("DownloadSession.delete", "DownloadSession.delete", lambda: api.DownloadSession.delete(d))
        checks.expect("DownloadSession.delete of a deleted session", "DownloadSession.delete", NotFound,
                      lambda: api.DownloadSession.delete(d))
        e = api.DownloadSession.create(create_spec=DownloadSessionModel(library_item_id=item))
        checks.run("DownloadSession.cancel", "DownloadSession.cancel", lambda: api.DownloadSession.cancel(e))
        checks.expect("downloadsession.File.list of a missing session", "downloadsession.File.list", NotFound,
                      lambda: dfile.list("no-such-session"))

        # Logout: the session ends, and calls are refused as vCenter refuses them.
        checks.run("cis.Session.delete", "cis.session.delete", lambda: client.session_svc.delete())
        checks.expect("a call after logout", "cis.session.delete", Unauthenticated, lambda: api.File.list(item))
    finally:
        if proc:
            proc.kill()
            proc.wait()

    ops = {k: v for k, v in checks.operations.items() if not k.startswith("cis.") and k not in ("upload", "download")}
    print(f"\n{sum(ops.values())} of {len(ops)} IDL operations passed over JSON-RPC/HTTPS"
          f" (each with its checks above); {len(checks.failures)} checks failed")
    for op in sorted(ops):
        print(f"  {'pass' if ops[op] else 'FAIL'}  {op}")
    return 1 if checks.failures else 0


if __name__ == "__main__":
    sys.exit(main())
