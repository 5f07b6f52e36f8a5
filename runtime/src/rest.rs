//! The `/api` REST conventions both ends share: which HTTP status each standard error travels
//! with (kept here, in one place), how path variables are encoded, and the session header.

/// The header that carries the session id of `POST /api/session` on every other call.
pub const SESSION_HEADER: &str = "vmware-api-session-id";

/// The `error_type` values of the standard errors and their HTTP status on `/api`, as the vAPI
/// REST runtime maps them; an error type not listed travels with 500.
const STATUS: &[(&str, u16)] = &[
    ("ALREADY_EXISTS", 400),
    ("ALREADY_IN_DESIRED_STATE", 400),
    ("CONCURRENT_CHANGE", 409),
    ("FEATURE_IN_USE", 400),
    ("INTERNAL_SERVER_ERROR", 500),
    ("INVALID_ARGUMENT", 400),
    ("INVALID_ELEMENT_CONFIGURATION", 400),
    ("INVALID_ELEMENT_TYPE", 400),
    ("INVALID_REQUEST", 400),
    ("NOT_ALLOWED_IN_CURRENT_STATE", 400),
    ("NOT_FOUND", 404),
    ("OPERATION_NOT_FOUND", 404),
    ("RESOURCE_BUSY", 400),
    ("RESOURCE_IN_USE", 400),
    ("RESOURCE_INACCESSIBLE", 400),
    ("SERVICE_UNAVAILABLE", 503),
    ("TIMED_OUT", 504),
    ("UNABLE_TO_ALLOCATE_RESOURCE", 400),
    ("UNAUTHENTICATED", 401),
    ("UNAUTHORIZED", 403),
    ("UNSUPPORTED", 400),
];

/// The HTTP status a standard error travels with on `/api`.
///
/// ```
/// use vapi_runtime::rest::status_of;
///
/// assert_eq!(status_of("NOT_FOUND"), 404);
/// assert_eq!(status_of("NOT_ALLOWED_IN_CURRENT_STATE"), 400);
/// assert_eq!(status_of("UNAUTHENTICATED"), 401);
/// assert_eq!(status_of("SOMETHING_NEW"), 500);
/// ```
pub fn status_of(error_type: &str) -> u16 {
    STATUS
        .iter()
        .find(|(t, _)| *t == error_type)
        .map_or(500, |(_, s)| *s)
}

/// The standard error an error status stands for when the body does not say, as the vAPI REST
/// runtime reads it.
pub fn error_type_of_status(status: u16) -> Option<&'static str> {
    Some(match status {
        400 | 405 | 406 | 411..=415 | 417 | 422 | 424 | 426 | 431 | 505 | 510 => "INVALID_REQUEST",
        401 | 407 => "UNAUTHENTICATED",
        402 | 403 => "UNAUTHORIZED",
        404 | 410 => "NOT_FOUND",
        408 | 504 => "TIMED_OUT",
        409 | 428 => "CONCURRENT_CHANGE",
        416 => "RESOURCE_INACCESSIBLE",
        423 => "RESOURCE_BUSY",
        429 | 503 => "SERVICE_UNAVAILABLE",
        500 | 506 | 508 => "INTERNAL_SERVER_ERROR",
        507 | 509 => "UNABLE_TO_ALLOCATE_RESOURCE",
        418 | 501 => "ERROR",
        _ => return None,
    })
}

/// Percent-encodes a path variable: everything but the unreserved characters of RFC 3986, so
/// that an id holding `/`, `?`, `#`, `%`, spaces or non-ASCII reaches the server whole.
///
/// ```
/// use vapi_runtime::rest::encode_path_segment;
///
/// assert_eq!(encode_path_segment("a/b c?é"), "a%2Fb%20c%3F%C3%A9");
/// ```
pub fn encode_path_segment(value: &str) -> String {
    // URL parsers resolve `.` and `..` segments away; encoded, they stay ids.
    if value == "." || value == ".." {
        return value.replace('.', "%2E");
    }
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
        }
    }
    out
}

/// Fills a URL template such as `/content/library/item/{item}/changes` with encoded values.
/// A variable without a value is left as written (the generated code always gives them all).
pub fn expand_path(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        match values.iter().find(|(n, _)| *n == name) {
            Some((_, v)) => out.push_str(&encode_path_segment(v)),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_as_an_error_of_its_kind() {
        for (t, s) in STATUS {
            assert_eq!(status_of(t), *s);
            let back = error_type_of_status(*s).unwrap();
            assert_eq!(status_of(back), *s, "{t} -> {s} -> {back}");
        }
        assert_eq!(error_type_of_status(200), None);
        assert_eq!(error_type_of_status(302), None);
    }

    #[test]
    fn hostile_ids_are_encoded_whole() {
        for (id, encoded) in [
            ("plain-id_1.2~3", "plain-id_1.2~3"),
            ("a/b", "a%2Fb"),
            ("q?x=1&y#f", "q%3Fx%3D1%26y%23f"),
            ("100%", "100%25"),
            ("two words", "two%20words"),
            ("ünï", "%C3%BCn%C3%AF"),
            ("..", "%2E%2E"),
            (".", "%2E"),
            ("...", "..."),
            ("", ""),
        ] {
            assert_eq!(encode_path_segment(id), encoded);
        }
    }

    #[test]
    fn templates_are_filled() {
        assert_eq!(
            expand_path("/a/{x}/b/{y}", &[("x", "1/2"), ("y", "3")]),
            "/a/1%2F2/b/3"
        );
        assert_eq!(expand_path("/a/{x}", &[]), "/a/{x}");
        assert_eq!(expand_path("/a/{x", &[("x", "1")]), "/a/{x");
        assert_eq!(expand_path("/plain", &[]), "/plain");
    }
}
