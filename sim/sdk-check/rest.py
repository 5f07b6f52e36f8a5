"""The official Python SDK (vmware-vcenter 9.1.1.0) in REST mode against vCenter's `/api`.

`stub_config(url, user, password, ca=None)` logs in with `com.vmware.cis.Session.create` (HTTP
Basic, as vCenter's `POST /api/session` wants) and returns a stub configuration whose requests
carry `vmware-api-session-id`, for the stubs of `com.vmware.content.library.item_client` and
its `downloadsession`/`updatesession` modules.

What this has to set up, and why (facts read from vmware-vapi-runtime 9.1.1.0):
- the SDK's REST connector is `get_requests_connector(..., msg_protocol='rest')`;
- every generated stub of 9.1.1.0 declares `is_vapi_rest=True` (the old `/rest` format:
  answers wrapped in `{"value": ...}`, errors as `{"type": ..., "value": ...}`) and pushes
  that onto the shared REST provider when it is made. vCenter's `/api` answers plain JSON
  (`"session-id"`, `[...]`, `{"error_type": "NOT_FOUND", ...}`), so the provider is pinned to
  the `/api` (OpenAPI) format here: the one setting a user of the SDK must make against any
  vCenter's `/api`;
- in that format the SDK sends a session as a header only if told to: the session id goes on
  the `requests.Session` as `vmware-api-session-id`, the header vCenter documents.
"""

import requests

from vmware.vapi.protocol.client.msg.generic_connector import GenericConnector
from vmware.vapi.protocol.client.msg.rest_connector import RestClientProvider
from vmware.vapi.protocol.client.rpc.provider_factory import RpcProviderFactory
from vmware.vapi.security.user_password import create_user_password_security_context
from vmware.vapi.stdlib.client.factories import StubConfigurationFactory

SESSION_HEADER = "vmware-api-session-id"


class ApiRestProvider(RestClientProvider):
    """The SDK's REST provider, kept in the `/api` (OpenAPI) JSON format whatever a stub says."""

    def __init__(self, http_provider):
        RestClientProvider.__init__(self, http_provider, [], is_vapi_rest=False)

    def set_rest_format(self, is_vapi_rest):
        # Stubs of 9.1.1.0 all ask for the `/rest` format; `/api` is the OpenAPI one.
        self._is_vapi_rest = False


def trusting(ca):
    """A `requests.Session` that trusts `ca` (a PEM file) if given. requests lets
    REQUESTS_CA_BUNDLE from the environment override a session's `verify`, so a session with
    its own trust ignores the environment."""
    http = requests.Session()
    if ca is not None:
        http.verify = ca
        http.trust_env = False
    return http


def connector(url, session):
    """A REST connector for `url` (`https://host/api`) over the `requests.Session`."""
    http = RpcProviderFactory().get_rpc_provider(
        "requests", session=session, base_url=url, default_timeout=60, pool_size=8
    )
    return GenericConnector(http, ApiRestProvider(http), None)


def stub_config(url, user, password, ca=None):
    """Logs in at `url` and returns `(stub_config, session_id)`.

    `ca`: a PEM file to trust for HTTPS (the simulator's `certificate:` line); `None` keeps
    requests' defaults.
    """
    from com.vmware.cis_client import Session

    http = trusting(ca)
    login = StubConfigurationFactory.new_std_configuration(connector(url, http))
    login.connector.set_security_context(
        create_user_password_security_context(user, password)
    )
    session_id = Session(login).create()
    http.headers[SESSION_HEADER] = session_id
    config = StubConfigurationFactory.new_std_configuration(connector(url, http))
    return config, session_id


def serve_pull_source(payload):
    """A plain HTTP server on 127.0.0.1 serving `payload` at `/pulled.bin` and, after a
    second, at `/slow.bin` (404 elsewhere), for PULL sources: returns its base URL."""
    import http.server
    import threading
    import time

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            if self.path not in ("/pulled.bin", "/slow.bin"):
                self.send_error(404)
                return
            if self.path == "/slow.bin":
                time.sleep(1)
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def main():
    import argparse
    import os
    import sys

    import flow

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", required=True, help="the /api base, e.g. https://127.0.0.1:8443/api")
    p.add_argument("--item", required=True, help="an empty library item the flow may write")
    p.add_argument("--ca", help="PEM file to trust (the simulator's certificate: line)")
    p.add_argument("--subscribed-item", help="an item of a subscribed library")
    p.add_argument("--restricted-user", help="a user without the operations' privileges")
    p.add_argument("--odd-item", help="an empty item for a file name with a control character")
    p.add_argument("--pull", action="store_true", help="also add a PULL source")
    a = p.parse_args()
    user = os.environ.get("VAPI_USER", "administrator@vsphere.local")
    password = os.environ.get("VAPI_PASSWORD", "vmware")
    config, _ = stub_config(a.url, user, password, a.ca)
    http = trusting(a.ca)
    anonymous = StubConfigurationFactory.new_std_configuration(connector(a.url, http))
    restricted = None
    if a.restricted_user:
        restricted, _ = stub_config(a.url, a.restricted_user, password, a.ca)
    pull_base = pull_payload = None
    if a.pull:
        pull_payload = os.urandom(3 << 20)
        pull_base = serve_pull_source(pull_payload)
    failures = flow.run(config, a.item, http=http, anonymous=anonymous, restricted=restricted,
                        subscribed_item=a.subscribed_item, pull_base=pull_base,
                        pull_payload=pull_payload, client_tokens=False,
                        odd_item=a.odd_item)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
