#!/usr/bin/env python3
"""VMware's stock Python SDK as users configure it, against vapi-sim: JSON-RPC over HTTPS.

    sim/sdk-check/run.sh --tls vsphere_client.py     # builds and starts vapi-sim --tls, runs this
    python3 sim/sdk-check/vsphere_client.py          # the same (hands over to run.sh)
    python3 vsphere_client.py --url https://127.0.0.1:8443/api --ca PEM --item ITEM   # a running one

`create_vsphere_client(server, username, password, session=requests_session)` logs in through
`com.vmware.cis.session` (the `user_pass` security context) and hands back stubs that speak
vAPI JSON-RPC 2.0 on `POST /api` with the session id as their security context. This script
runs the shared flow of `flow.py` through those stubs: each of the 30 operations of the seven
services, their documented errors (checked by class: JSON-RPC names each error), an upload and
a download of real bytes, a PULL source, a user without privileges, a call without a session.
The `requests.Session` trusts the simulator's self-signed certificate (`verify` = the PEM it
printed after `certificate:`). Prints PASS/FAIL lines and exits 1 on any failure.

The SDK is a test oracle, not a dependency: run.sh makes a throwaway virtualenv under
target/sdk-venv from PyPI (vmware-vcenter, vmware-vapi-runtime, vmware-vapi-common-client
9.1.1.0), or uses the one VAPI_SDK_VENV names.
"""

import argparse
import os
import sys
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", help="the /api base, https://HOST:PORT/api (default: run.sh starts one)")
    p.add_argument("--item", help="an empty library item the flow may write")
    p.add_argument("--ca", help="PEM file to trust (the simulator's certificate: line)")
    p.add_argument("--subscribed-item", help="an item of a subscribed library")
    p.add_argument("--restricted-user", help="a user without the operations' privileges")
    p.add_argument("--odd-item", help="an empty item for a file name with a control character")
    p.add_argument("--pull", action="store_true", help="also add a PULL source")
    a = p.parse_args()
    if a.url is None:
        # run.sh makes the virtualenv, starts `vapi-sim --tls` and calls back with --url.
        run = os.path.join(HERE, "run.sh")
        os.execv(run, [run, "--tls", os.path.basename(__file__)])
    if a.item is None:
        p.error("--item is required with --url")
    url = urlsplit(a.url)
    if url.scheme != "https" or url.path.rstrip("/") != "/api":
        p.error("create_vsphere_client speaks https://HOST/api only (start vapi-sim with --tls)")

    sys.path.insert(0, HERE)
    import flow
    from rest import serve_pull_source, trusting
    from vmware.vapi.lib.connect import get_requests_connector
    from vmware.vapi.stdlib.client.factories import StubConfigurationFactory
    from vmware.vapi.vsphere.client import create_vsphere_client

    user = os.environ.get("VAPI_USER", "administrator@vsphere.local")
    password = os.environ.get("VAPI_PASSWORD", "vmware")

    clients = []  # a VsphereClient logs out when it is collected: keep them to the end

    def client(name):
        """A logged-in client; its stubs' configuration, which the flow makes its stubs from."""
        c = create_vsphere_client(url.netloc, name, password, session=trusting(a.ca))
        clients.append(c)
        # Every stub create_vsphere_client made keeps the one configuration it built: JSON-RPC
        # at https://HOST/api, the session id as security context.
        return c.content.library.item.File._config

    config = client(user)
    print(f"PASS create_vsphere_client({url.netloc!r}, {user!r}, ...): logged in", flush=True)
    http = trusting(a.ca)
    # The same JSON-RPC connector without a security context: calls without a session.
    anonymous = StubConfigurationFactory.new_std_configuration(
        get_requests_connector(session=trusting(a.ca), url=a.url)
    )
    restricted = client(a.restricted_user) if a.restricted_user else None
    pull_base = pull_payload = None
    if a.pull:
        pull_payload = os.urandom(3 << 20)
        pull_base = serve_pull_source(pull_payload)
    failures = flow.run(config, a.item, http=http, exact_classes=True, anonymous=anonymous,
                        restricted=restricted, subscribed_item=a.subscribed_item,
                        pull_base=pull_base, pull_payload=pull_payload, client_tokens=True,
                        odd_item=a.odd_item)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
