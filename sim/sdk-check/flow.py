"""Every operation of the Content Library item API, through VMware's official Python SDK.

`run(stub_config, item=..., ...)` calls each of the 30 operations of the seven services of the
IDL (`com.vmware.content.library.item_client`: Changes, DownloadSession, File, Storage,
UpdateSession; `...item.downloadsession_client.File`; `...item.updatesession_client.File`)
through the SDK's own stubs, their documented error paths, an upload + download of real bytes
(and a PULL source when `pull_base` is given), prints one `PASS`/`FAIL` line per operation or
case, and returns the number of failures. The protocol is the stub configuration's business:
`rest.py` makes one for vCenter's `/api` REST, `vsphere_client.py` the JSON-RPC one of
`create_vsphere_client`.

An error case passes when the SDK raises the documented error: its `error_type` names the
documented kind (`NOT_FOUND`, ...), and with `exact_classes=True` its Python class is that kind
too. (In the `/api` REST format the SDK 9.1.1.0 cannot tell its declared errors apart: its
throws clauses list no status codes, so it raises the first declared class with the
`error_type` the server sent. JSON-RPC names the error, so there the class is checked.)
"""

import hashlib
import re
import sys
import uuid

import requests

from com.vmware.cis_client import Session
from com.vmware.content.library.item_client import (
    Changes,
    DownloadSession,
    DownloadSessionModel,
    File,
    Storage,
    TransferEndpoint,
    TransferStatus,
    UpdateSession,
    UpdateSessionModel,
)
from com.vmware.content.library.item import downloadsession_client as dls
from com.vmware.content.library.item import updatesession_client as ups
from com.vmware.vapi.std import errors_client as std_errors

# The 30 operations of the IDL's seven services: each must be called with success at least
# once (checked at the end, so a forgotten one fails the run).
OPERATIONS = [
    "Changes.list", "Changes.get",
    "DownloadSession.create", "DownloadSession.get", "DownloadSession.list",
    "DownloadSession.keep_alive", "DownloadSession.cancel", "DownloadSession.delete",
    "DownloadSession.fail",
    "File.get", "File.list",
    "Storage.get", "Storage.list",
    "UpdateSession.create", "UpdateSession.get", "UpdateSession.list",
    "UpdateSession.complete", "UpdateSession.keep_alive", "UpdateSession.cancel",
    "UpdateSession.fail", "UpdateSession.delete", "UpdateSession.update",
    "downloadsession.File.list", "downloadsession.File.prepare", "downloadsession.File.get",
    "updatesession.File.validate", "updatesession.File.add", "updatesession.File.remove",
    "updatesession.File.list", "updatesession.File.get",
]

# The Python class of each documented error kind.
CLASSES = {
    "NOT_FOUND": std_errors.NotFound,
    "INVALID_ARGUMENT": std_errors.InvalidArgument,
    "NOT_ALLOWED_IN_CURRENT_STATE": std_errors.NotAllowedInCurrentState,
    "RESOURCE_BUSY": std_errors.ResourceBusy,
    "INVALID_ELEMENT_TYPE": std_errors.InvalidElementType,
    "UNSUPPORTED": std_errors.Unsupported,
    "UNAUTHENTICATED": std_errors.Unauthenticated,
    "UNAUTHORIZED": std_errors.Unauthorized,
    "ERROR": std_errors.Error,
}

# vCenter's `/api` status for each kind (checked when the answer was an HTTP error status).
STATUS = {
    "NOT_FOUND": 404,
    "INVALID_ARGUMENT": 400,
    "NOT_ALLOWED_IN_CURRENT_STATE": 400,
    "RESOURCE_BUSY": 400,
    "INVALID_ELEMENT_TYPE": 400,
    "UNSUPPORTED": 400,
    "UNAUTHENTICATED": 401,
    "UNAUTHORIZED": 403,
    "ERROR": 500,
}

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MISSING = "00000000-0000-4000-8000-000000000000"

client_tokens_skipped = (
    "the SDK 9.1.1.0 REST serializer never sends header parameters (its metadata maps header "
    "name -> field, its serializer looks fields up by field name), so `client_token` is dropped"
)


class Check(Exception):
    """A result that is not what the documentation says."""


def expect(condition, what):
    if not condition:
        raise Check(what)


class Flow:
    def __init__(self, config, http, exact_classes):
        self.config = config
        self.http = http
        self.exact = exact_classes
        self.failures = 0
        self.called = set()
        self.changes = Changes(config)
        self.downloads = DownloadSession(config)
        self.files = File(config)
        self.storage = Storage(config)
        self.updates = UpdateSession(config)
        self.download_files = dls.File(config)
        self.update_files = ups.File(config)

    def line(self, ok, name, detail=""):
        if not ok:
            self.failures += 1
        print(f"{'PASS' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)

    def ok(self, operation, case, call, check=None):
        """Calls `call()`; PASS if it returns and `check(result)` holds."""
        name = f"{operation} ({case})" if case else operation
        try:
            result = call()
            if check is not None:
                check(result)
        except Check as e:
            self.line(False, name, str(e))
            return None
        except Exception as e:  # noqa: BLE001 - any SDK failure is the finding
            self.line(False, name, f"{type(e).__name__}: {describe(e)}")
            return None
        if operation in OPERATIONS:
            self.called.add(operation)
        self.line(True, name)
        return result

    def err(self, operation, kind, case, call):
        """Calls `call()`; PASS if it raises the documented error `kind`."""
        name = f"{operation} -> {kind} ({case})"
        try:
            result = call()
        except std_errors.VapiError as e:
            got = getattr(e, "error_type", None)
            status = e.get_status_code() if hasattr(e, "get_status_code") else None
            problems = []
            # Operations whose REST metadata maps errors by HTTP status (Changes) give the
            # right class but no `error_type`.
            by_status = got is None and isinstance(e, CLASSES[kind]) and status == STATUS[kind]
            if got != kind and not by_status:
                problems.append(f"error_type {got!r}")
            if self.exact and not isinstance(e, CLASSES[kind]):
                problems.append(f"class {type(e).__name__}")
            # JSON-RPC answers every call 200 and the SDK reports no status for its errors (0).
            if status not in (None, 0, 200) and status != STATUS[kind]:
                problems.append(f"HTTP {status}, documented {STATUS[kind]}")
            self.line(not problems, name, "; ".join(problems + [describe(e)]) if problems else "")
            return
        except Exception as e:  # noqa: BLE001
            self.line(False, name, f"{type(e).__name__}: {describe(e)}")
            return
        self.line(False, name, f"no error, returned {result!r}")


def describe(e):
    messages = getattr(e, "messages", None) or []
    text = "; ".join(getattr(m, "default_message", str(m)) for m in messages)
    return text or str(e)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def upload_spec(name, data, source_type=ups.File.SourceType.PUSH, endpoint=None):
    return ups.File.AddSpec(
        name=name,
        source_type=source_type,
        source_endpoint=endpoint,
        size=len(data),
        checksum_info=File.ChecksumInfo(
            algorithm=File.ChecksumAlgorithm.SHA256, checksum=sha256(data)
        ),
    )


def run(config, item, http=None, exact_classes=False, anonymous=None, restricted=None,
        subscribed_item=None, pull_base=None, pull_payload=None, client_tokens=True,
        odd_item=None):
    """Runs every case; returns the number of failures.

    - `item`: an existing library item, ideally empty and not in use (the flow writes to it);
    - `http`: the `requests.Session` for the transfer URLs (its `verify` trusts the server);
    - `anonymous`: a stub configuration without a session (for `UNAUTHENTICATED`);
    - `restricted`: one logged in as a user without the operations' privileges (`UNAUTHORIZED`);
    - `subscribed_item`: an item of a subscribed library (`INVALID_ELEMENT_TYPE`);
    - `pull_base` + `pull_payload`: an `http(s)` URL serving `pull_payload` bytes, for a PULL
      source;
    - `odd_item`: an empty item to receive a file whose name holds a control character (no
      download endpoint can carry it: `File.get`/`File.list` answer `UNSUPPORTED`);
    - `client_tokens=False`: the protocol cannot send a `client_token` (the cases that need
      one are printed as SKIP with the reason).
    """
    f = Flow(config, http or requests.Session(), exact_classes)
    payload = b"vapi-sim sdk-check \x00\x01\x02" * 4096 + uuid.uuid4().bytes
    name = "disk-0.vmdk"

    f.ok("cis.Session.get", "the login session", lambda: Session(config).get(),
         lambda s: expect(s.user and s.created_time and s.last_accessed_time,
                          f"incomplete Session.Info {s}"))

    # --- an update session that uploads a file -------------------------------------------------
    token = str(uuid.uuid4())
    spec = UpdateSessionModel(library_item_id=item)
    up = f.ok("UpdateSession.create", "with a client token",
              lambda: f.updates.create(spec, client_token=token),
              lambda i: expect(UUID.match(i), f"id {i!r} is not a vCenter-shaped UUID"))
    if up is None:
        print("FAIL cannot go on without an update session", flush=True)
        return f.failures + 1
    if client_tokens:
        f.ok("UpdateSession.create", "the same client token gives the same session",
             lambda: f.updates.create(spec, client_token=token),
             lambda i: expect(i == up, f"{i} != {up}"))
        f.err("UpdateSession.create", "INVALID_ARGUMENT", "client token not a UUID",
              lambda: f.updates.create(UpdateSessionModel(library_item_id=item),
                                       client_token="not-a-uuid"))
        f.err("DownloadSession.create", "INVALID_ARGUMENT", "client token not a UUID",
              lambda: f.downloads.create(DownloadSessionModel(library_item_id=item),
                                         client_token="not-a-uuid"))
    else:
        print("SKIP client-token cases of UpdateSession.create and DownloadSession.create: "
              + client_tokens_skipped, flush=True)
    f.err("UpdateSession.create", "RESOURCE_BUSY", "another update session on the item",
          lambda: f.updates.create(spec))
    f.err("UpdateSession.create", "INVALID_ARGUMENT", "no library item in the spec",
          lambda: f.updates.create(UpdateSessionModel()))
    if subscribed_item is not None:
        f.err("UpdateSession.create", "INVALID_ELEMENT_TYPE", "item of a subscribed library",
              lambda: f.updates.create(UpdateSessionModel(library_item_id=subscribed_item)))
    f.ok("UpdateSession.get", "", lambda: f.updates.get(up),
         lambda m: expect(m.state == UpdateSessionModel.State.ACTIVE
                          and m.library_item_id == item and m.expiration_time is not None,
                          f"unexpected model {m}"))
    f.ok("UpdateSession.list", "on the item", lambda: f.updates.list(library_item_id=item),
         lambda ids: expect(up in ids, f"{up} not in {ids}"))
    f.ok("UpdateSession.list", "all", lambda: f.updates.list(),
         lambda ids: expect(up in ids, f"{up} not in {ids}"))
    f.ok("UpdateSession.update", "warning behavior",
         lambda: f.updates.update(up, UpdateSessionModel(warning_behavior=[])),
         lambda r: expect(r is None, f"returned {r!r}"))
    f.err("UpdateSession.update", "INVALID_ARGUMENT", "an unknown warning type",
          lambda: f.updates.update(up, UpdateSessionModel(warning_behavior=[
              ups.WarningBehavior(type=ups.WarningType("NO_SUCH_WARNING"), ignored=True)])))
    f.ok("UpdateSession.keep_alive", "with progress",
         lambda: f.updates.keep_alive(up, client_progress=10))
    f.ok("UpdateSession.get", "progress recorded", lambda: f.updates.get(up),
         lambda m: expect(m.client_progress == 10, f"client_progress {m.client_progress}"))

    info = f.ok("updatesession.File.add", "PUSH with size and SHA-256",
                lambda: f.update_files.add(up, upload_spec(name, payload)),
                lambda i: expect(i.upload_endpoint is not None and i.name == name
                                 and i.status == TransferStatus.WAITING_FOR_TRANSFER,
                                 f"unexpected info {i}"))
    f.ok("updatesession.File.get", "", lambda: f.update_files.get(up, name),
         lambda i: expect(i.name == name and i.size == len(payload), f"unexpected info {i}"))
    f.ok("updatesession.File.list", "", lambda: f.update_files.list(up),
         lambda l: expect([i.name for i in l] == [name], f"unexpected list {l}"))
    f.ok("updatesession.File.validate", "before the upload: missing",
         lambda: f.update_files.validate(up),
         lambda v: expect(v.has_errors and name in v.missing_files, f"unexpected {v}"))
    if info is not None:
        f.ok("upload", f"PUT {len(payload)} bytes",
             lambda: f.http.put(info.upload_endpoint.uri, data=payload, timeout=60),
             lambda r: expect(r.status_code in (200, 201, 204), f"HTTP {r.status_code}"))
    f.ok("updatesession.File.get", "after the upload: READY", lambda: f.update_files.get(up, name),
         lambda i: expect(i.status == TransferStatus.READY
                          and i.bytes_transferred == len(payload), f"unexpected info {i}"))
    f.ok("updatesession.File.validate", "after the upload: no errors",
         lambda: f.update_files.validate(up),
         lambda v: expect(not v.has_errors and not v.missing_files and not v.invalid_files,
                          f"unexpected {v}"))
    f.ok("updatesession.File.add", "a second file", lambda: f.update_files.add(
        up, upload_spec("extra.txt", b"extra")))
    f.ok("updatesession.File.remove", "the second file",
         lambda: f.update_files.remove(up, "extra.txt"),
         lambda r: expect(r is None, f"returned {r!r}"))
    f.err("updatesession.File.remove", "INVALID_ARGUMENT", "no such file",
          lambda: f.update_files.remove(up, "extra.txt"))
    f.err("updatesession.File.get", "INVALID_ARGUMENT", "no such file",
          lambda: f.update_files.get(up, "extra.txt"))
    f.err("updatesession.File.add", "INVALID_ARGUMENT", "a file without a name",
          lambda: f.update_files.add(up, upload_spec("", b"x")))
    if pull_base is not None:
        pulled = pull_payload or b""
        f.ok("updatesession.File.add", "PULL from an http(s) URL",
             lambda: f.update_files.add(up, upload_spec(
                 "pulled.bin", pulled, ups.File.SourceType.PULL,
                 TransferEndpoint(uri=pull_base + "/pulled.bin"))),
             lambda i: expect(i.upload_endpoint is None and i.source_endpoint is not None
                              and i.status in (TransferStatus.TRANSFERRING, TransferStatus.READY),
                              f"unexpected info {i}"))
        f.ok("updatesession.File.get", "PULL transferred",
             lambda: wait_for(lambda: f.update_files.get(up, "pulled.bin"),
                              lambda i: i.status != TransferStatus.TRANSFERRING),
             lambda i: expect(i.status == TransferStatus.READY
                              and i.bytes_transferred == len(pulled), f"unexpected info {i}"))
    f.err("UpdateSession.delete", "NOT_ALLOWED_IN_CURRENT_STATE", "an ACTIVE session",
          lambda: f.updates.delete(up))
    f.ok("UpdateSession.complete", "", lambda: f.updates.complete(up),
         lambda r: expect(r is None, f"returned {r!r}"))
    f.ok("UpdateSession.get", "DONE", lambda: f.updates.get(up),
         lambda m: expect(m.state == UpdateSessionModel.State.DONE, f"state {m.state}"))
    for op, call in [
        ("UpdateSession.complete", lambda: f.updates.complete(up)),
        ("UpdateSession.keep_alive", lambda: f.updates.keep_alive(up)),
        ("UpdateSession.cancel", lambda: f.updates.cancel(up)),
        ("UpdateSession.fail", lambda: f.updates.fail(up, "too late")),
        ("UpdateSession.update", lambda: f.updates.update(up, UpdateSessionModel())),
        ("updatesession.File.validate", lambda: f.update_files.validate(up)),
        ("updatesession.File.add", lambda: f.update_files.add(up, upload_spec("late", b"x"))),
    ]:
        f.err(op, "NOT_ALLOWED_IN_CURRENT_STATE", "a DONE session", call)
    f.ok("UpdateSession.delete", "a DONE session", lambda: f.updates.delete(up),
         lambda r: expect(r is None, f"returned {r!r}"))

    # --- PULL sources: completing while the server fetches, and a fetch that fails --------------
    if pull_base is not None:
        pulled = pull_payload or b""
        p = f.ok("UpdateSession.create", "for a slow PULL",
                 lambda: f.updates.create(UpdateSessionModel(library_item_id=item)))
        if p is not None:
            f.ok("updatesession.File.add", "PULL from a slow source",
                 lambda: f.update_files.add(p, upload_spec(
                     "slow.bin", pulled, ups.File.SourceType.PULL,
                     TransferEndpoint(uri=pull_base + "/slow.bin"))))
            f.ok("UpdateSession.complete", "while the server still fetches",
                 lambda: f.updates.complete(p))
            f.ok("UpdateSession.get", "DONE once the PULL arrived",
                 lambda: wait_for(lambda: f.updates.get(p),
                                  lambda m: m.state != UpdateSessionModel.State.ACTIVE, tries=400),
                 lambda m: expect(m.state == UpdateSessionModel.State.DONE, f"unexpected {m}"))
            f.ok("File.get", "the slow PULL's file", lambda: f.files.get(item, "slow.bin"),
                 lambda i: expect(i.size == len(pulled)
                                  and i.checksum_info.checksum == sha256(pulled),
                                  f"unexpected info {i}"))
            f.ok("UpdateSession.delete", "the completed PULL session", lambda: f.updates.delete(p))
        q = f.ok("UpdateSession.create", "for a failing PULL",
                 lambda: f.updates.create(UpdateSessionModel(library_item_id=item)))
        if q is not None:
            f.ok("updatesession.File.add", "PULL from a URL that answers 404",
                 lambda: f.update_files.add(q, upload_spec(
                     "missing.bin", b"x", ups.File.SourceType.PULL,
                     TransferEndpoint(uri=pull_base + "/no-such-file"))))
            f.ok("updatesession.File.get", "the failure on the file",
                 lambda: wait_for(lambda: f.update_files.get(q, "missing.bin"),
                                  lambda i: i.status != TransferStatus.TRANSFERRING),
                 lambda i: expect(i.status == TransferStatus.ERROR and i.error_message is not None,
                                  f"unexpected info {i}"))
            f.ok("UpdateSession.get", "the failure on the session", lambda: f.updates.get(q),
                 lambda m: expect(m.state == UpdateSessionModel.State.ERROR
                                  and "404" in m.error_message.default_message,
                                  f"unexpected {m}"))
            f.ok("UpdateSession.delete", "the failed PULL session", lambda: f.updates.delete(q))

    # --- cancel and fail -------------------------------------------------------------------------
    canceled = f.ok("UpdateSession.create", "to cancel",
                    lambda: f.updates.create(UpdateSessionModel(library_item_id=item)))
    if canceled is not None:
        f.ok("UpdateSession.cancel", "", lambda: f.updates.cancel(canceled),
             lambda r: expect(r is None, f"returned {r!r}"))
        f.ok("UpdateSession.get", "CANCELED", lambda: f.updates.get(canceled),
             lambda m: expect(m.state == UpdateSessionModel.State.CANCELED, f"state {m.state}"))
        f.ok("UpdateSession.delete", "a CANCELED session", lambda: f.updates.delete(canceled))
    failed = f.ok("UpdateSession.create", "to fail",
                  lambda: f.updates.create(UpdateSessionModel(library_item_id=item)))
    if failed is not None:
        f.ok("UpdateSession.fail", "", lambda: f.updates.fail(failed, "the client gave up"),
             lambda r: expect(r is None, f"returned {r!r}"))
        f.ok("UpdateSession.get", "ERROR with the client's message", lambda: f.updates.get(failed),
             lambda m: expect(m.state == UpdateSessionModel.State.ERROR and m.error_message
                              and "gave up" in m.error_message.default_message,
                              f"unexpected model {m}"))
        f.ok("UpdateSession.delete", "an ERROR session", lambda: f.updates.delete(failed))

    # --- the item's files, storage and changes ---------------------------------------------------
    f.ok("File.list", "", lambda: f.files.list(item),
         lambda l: expect(name in [i.name for i in l], f"unexpected list {l}"))
    f.ok("File.get", "the uploaded file", lambda: f.files.get(item, name),
         lambda i: expect(i.size == len(payload) and i.cached
                          and i.checksum_info.checksum == sha256(payload),
                          f"unexpected info {i}"))
    f.ok("Storage.list", "", lambda: f.storage.list(item),
         lambda l: expect(name in [i.name for i in l], f"unexpected list {l}"))
    f.ok("Storage.get", "", lambda: f.storage.get(item, name),
         lambda l: expect(len(l) == 1 and l[0].size == len(payload) and l[0].storage_uris,
                          f"unexpected {l}"))
    versions = f.ok("Changes.list", "newest first", lambda: f.changes.list(item),
                    lambda l: expect(len(l) >= 2 and int(l[0].version) > int(l[-1].version),
                                     f"unexpected list {l}"))
    if versions:
        f.ok("Changes.get", "the newest version", lambda: f.changes.get(item, versions[0].version),
             lambda c: expect(c.time is not None, f"unexpected {c}"))
    f.err("Changes.get", "NOT_FOUND", "no such version", lambda: f.changes.get(item, "999999"))

    # --- a download session ----------------------------------------------------------------------
    down = f.ok("DownloadSession.create", "",
                lambda: f.downloads.create(DownloadSessionModel(library_item_id=item),
                                           client_token=str(uuid.uuid4())),
                lambda i: expect(UUID.match(i), f"id {i!r} is not a vCenter-shaped UUID"))
    f.err("DownloadSession.create", "INVALID_ARGUMENT", "no library item in the spec",
          lambda: f.downloads.create(DownloadSessionModel()))
    if down is not None:
        f.ok("DownloadSession.get", "", lambda: f.downloads.get(down),
             lambda m: expect(m.state == DownloadSessionModel.State.ACTIVE
                              and m.library_item_id == item, f"unexpected model {m}"))
        f.ok("DownloadSession.list", "on the item", lambda: f.downloads.list(library_item_id=item),
             lambda ids: expect(down in ids, f"{down} not in {ids}"))
        f.ok("DownloadSession.keep_alive", "with progress",
             lambda: f.downloads.keep_alive(down, progress=50))
        f.ok("downloadsession.File.list", "UNPREPARED", lambda: f.download_files.list(down),
             lambda l: expect((name, dls.File.PrepareStatus.UNPREPARED)
                              in [(i.name, i.status) for i in l], f"unexpected list {l}"))
        f.ok("downloadsession.File.prepare", "HTTPS",
             lambda: f.download_files.prepare(down, name, dls.File.EndpointType.HTTPS))
        got = f.ok("downloadsession.File.get", "PREPARED",
                   lambda: wait_for(lambda: f.download_files.get(down, name),
                                    lambda i: i.status == dls.File.PrepareStatus.PREPARED),
                   lambda i: expect(i.download_endpoint is not None
                                    and i.checksum_info.checksum == sha256(payload),
                                    f"unexpected info {i}"))
        if got is not None:
            f.ok("download", "GET the prepared file",
                 lambda: f.http.get(got.download_endpoint.uri, timeout=60),
                 lambda r: expect(r.status_code == 200 and r.content == payload,
                                  f"HTTP {r.status_code}, {len(r.content)} bytes"))
        f.err("downloadsession.File.prepare", "INVALID_ARGUMENT", "no such file",
              lambda: f.download_files.prepare(down, "no-such-file"))
        f.err("downloadsession.File.get", "INVALID_ARGUMENT", "no such file",
              lambda: f.download_files.get(down, "no-such-file"))
        f.ok("DownloadSession.delete", "", lambda: f.downloads.delete(down),
             lambda r: expect(r is None, f"returned {r!r}"))
    other = f.ok("DownloadSession.create", "to cancel",
                 lambda: f.downloads.create(DownloadSessionModel(library_item_id=item)))
    if other is not None:
        f.ok("DownloadSession.cancel", "", lambda: f.downloads.cancel(other))
        f.ok("DownloadSession.get", "CANCELED", lambda: f.downloads.get(other),
             lambda m: expect(m.state == DownloadSessionModel.State.CANCELED, f"state {m.state}"))
        for op, call in [
            ("DownloadSession.keep_alive", lambda: f.downloads.keep_alive(other)),
            ("DownloadSession.cancel", lambda: f.downloads.cancel(other)),
            ("DownloadSession.fail", lambda: f.downloads.fail(other, "too late")),
        ]:
            f.err(op, "NOT_ALLOWED_IN_CURRENT_STATE", "a CANCELED session", call)
        f.ok("DownloadSession.delete", "a CANCELED session", lambda: f.downloads.delete(other))
    third = f.ok("DownloadSession.create", "to fail",
                 lambda: f.downloads.create(DownloadSessionModel(library_item_id=item)))
    if third is not None:
        f.ok("DownloadSession.fail", "", lambda: f.downloads.fail(third, "the client gave up"))
        f.ok("DownloadSession.get", "ERROR", lambda: f.downloads.get(third),
             lambda m: expect(m.state == DownloadSessionModel.State.ERROR, f"state {m.state}"))
        f.ok("DownloadSession.delete", "an ERROR session", lambda: f.downloads.delete(third))

    # --- a file name no download endpoint can carry ---------------------------------------------
    if odd_item is not None:
        odd = "odd\x01name.txt"
        u = f.ok("UpdateSession.create", "on the odd item",
                 lambda: f.updates.create(UpdateSessionModel(library_item_id=odd_item)))
        if u is not None:
            added = f.ok("updatesession.File.add", "a name with a control character",
                         lambda: f.update_files.add(u, upload_spec(odd, b"odd")))
            if added is not None:
                f.ok("upload", "the odd file",
                     lambda: f.http.put(added.upload_endpoint.uri, data=b"odd", timeout=60),
                     lambda r: expect(r.status_code in (200, 201, 204), f"HTTP {r.status_code}"))
            f.ok("UpdateSession.complete", "the odd file", lambda: f.updates.complete(u))
        f.err("File.get", "UNSUPPORTED", "a name with a control character",
              lambda: f.files.get(odd_item, odd))
        f.err("File.list", "UNSUPPORTED", "an item with such a name",
              lambda: f.files.list(odd_item))

    # --- NOT_FOUND for every operation -----------------------------------------------------------
    for op, call in calls_on_missing(f, item, name):
        f.err(op, "NOT_FOUND", "no such item, session or file", call)

    # --- who may call ----------------------------------------------------------------------------
    if anonymous is not None:
        f.err("Changes.list", "UNAUTHENTICATED", "no session", lambda: Changes(anonymous).list(item))
        f.err("Changes.get", "UNAUTHENTICATED", "no session",
              lambda: Changes(anonymous).get(item, "1"))
    if restricted is not None:
        # A user holding no privilege: every operation refuses it before looking anything up.
        r = Flow(restricted, f.http, exact_classes)
        for op, call in calls_on_missing(r, item, name):
            f.err(op, "UNAUTHORIZED", "a user without the operation's privileges", call)

    missing = [op for op in OPERATIONS if op not in f.called]
    f.line(not missing, f"all {len(OPERATIONS)} operations succeeded at least once",
           "never: " + ", ".join(missing) if missing else "")
    print(f"{'OK' if f.failures == 0 else 'FAILED'}: {f.failures} failure(s)", flush=True)
    return f.failures


def calls_on_missing(f, item, name):
    """One call of each of the 30 operations naming a missing item, session or file."""
    gone = MISSING
    return [
        ("Changes.list", lambda: f.changes.list(gone)),
        ("Changes.get", lambda: f.changes.get(gone, "1")),
        ("DownloadSession.create",
         lambda: f.downloads.create(DownloadSessionModel(library_item_id=gone))),
        ("DownloadSession.get", lambda: f.downloads.get(gone)),
        ("DownloadSession.list", lambda: f.downloads.list(library_item_id=gone)),
        ("DownloadSession.keep_alive", lambda: f.downloads.keep_alive(gone)),
        ("DownloadSession.cancel", lambda: f.downloads.cancel(gone)),
        ("DownloadSession.delete", lambda: f.downloads.delete(gone)),
        ("DownloadSession.fail", lambda: f.downloads.fail(gone, "x")),
        ("File.get", lambda: f.files.get(gone, name)),
        ("File.get", lambda: f.files.get(item, "no-such-file")),
        ("File.list", lambda: f.files.list(gone)),
        ("Storage.get", lambda: f.storage.get(gone, name)),
        ("Storage.get", lambda: f.storage.get(item, "no-such-file")),
        ("Storage.list", lambda: f.storage.list(gone)),
        ("UpdateSession.create",
         lambda: f.updates.create(UpdateSessionModel(library_item_id=gone))),
        ("UpdateSession.get", lambda: f.updates.get(gone)),
        ("UpdateSession.list", lambda: f.updates.list(library_item_id=gone)),
        ("UpdateSession.complete", lambda: f.updates.complete(gone)),
        ("UpdateSession.keep_alive", lambda: f.updates.keep_alive(gone)),
        ("UpdateSession.cancel", lambda: f.updates.cancel(gone)),
        ("UpdateSession.fail", lambda: f.updates.fail(gone, "x")),
        ("UpdateSession.delete", lambda: f.updates.delete(gone)),
        ("UpdateSession.update", lambda: f.updates.update(gone, UpdateSessionModel())),
        ("downloadsession.File.list", lambda: f.download_files.list(gone)),
        ("downloadsession.File.prepare", lambda: f.download_files.prepare(gone, name)),
        ("downloadsession.File.get", lambda: f.download_files.get(gone, name)),
        ("updatesession.File.validate", lambda: f.update_files.validate(gone)),
        ("updatesession.File.add", lambda: f.update_files.add(gone, upload_spec("x", b"x"))),
        ("updatesession.File.remove", lambda: f.update_files.remove(gone, name)),
        ("updatesession.File.list", lambda: f.update_files.list(gone)),
        ("updatesession.File.get", lambda: f.update_files.get(gone, name)),
    ]


def wait_for(get, done, tries=100):
    """Polls `get()` until `done(result)` (a prepare or a PULL may take a moment)."""
    import time

    result = get()
    for _ in range(tries):
        if done(result):
            return result
        time.sleep(0.05)
        result = get()
    return result


if __name__ == "__main__":
    sys.exit("flow.py is a module: run rest.py (REST) or vsphere_client.py (JSON-RPC)")
