//! `uri`: a string checked against the URI syntax of RFC 3986 when it is read.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// A vAPI `uri`: an absolute URI reference (`scheme:rest`) as RFC 3986 spells it, a JSON string
/// on the wire.
///
/// It is checked when it is read or parsed: a scheme (a letter, then letters, digits, `+`, `-`
/// or `.`), a `:`, then only characters a URI may hold, with every `%` starting a
/// two-hex-digit escape. Spaces, non-ASCII characters and stray `%` are refused: they must be
/// percent-encoded. The text is kept and written back unchanged.
///
/// ```
/// use vapi_runtime::Uri;
///
/// let uri: Uri = "https://vc.example.com/cls/data/1?x=a%20b".parse()?;
/// assert_eq!(uri.scheme(), "https");
/// assert!("no scheme".parse::<Uri>().is_err());
/// assert!("http://host/a b".parse::<Uri>().is_err());
/// # Ok::<(), vapi_runtime::UriError>(())
/// ```
// A `Box<str>`, two words, rather than a `String`'s three: a URI is never grown, and a
// structure holding an `Option<Uri>` is a word smaller (`File.Info` 120 bytes, as with a
// plain `String` in place of the `Uri`, which matters to how `malloc` grows the buffer of a
// long list of them).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uri(Box<str>);

impl Uri {
    /// Checks a text and wraps it.
    pub fn parse(text: impl Into<String>) -> Result<Self, UriError> {
        let text = text.into();
        match check(&text) {
            Ok(()) => Ok(Uri(text.into_boxed_str())),
            Err(reason) => Err(UriError {
                text: text.chars().take(64).collect(),
                reason,
            }),
        }
    }

    /// The URI as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The scheme, as written (compare it case-insensitively).
    pub fn scheme(&self) -> &str {
        self.0.split(':').next().unwrap_or_default()
    }

    /// The URI text, consuming it.
    pub fn into_string(self) -> String {
        self.0.into_string()
    }
}

/// Why a text is not a `uri`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriError {
    text: String,
    reason: &'static str,
}

impl fmt::Display for UriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid uri {:?}: {}", self.text, self.reason)
    }
}

impl std::error::Error for UriError {}

/// The bytes a URI may hold besides `%`: letters, digits, and the unreserved characters,
/// gen-delims and sub-delims of RFC 3986; a table, as the check reads every byte of every URI
/// a structure holds.
const ALLOWED: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 256 {
        table[c] = (c as u8).is_ascii_alphanumeric();
        c += 1;
    }
    let others = b"-._~:/?#[]@!$&'()*+,;=";
    let mut i = 0;
    while i < others.len() {
        table[others[i] as usize] = true;
        i += 1;
    }
    table
};

/// `ALLOWED` as 0 (allowed) and 1 (anything else, `%` included), for the fast path of `check`.
const NOT_PLAIN: [u8; 256] = {
    let mut table = [1; 256];
    let mut c = 0;
    while c < 256 {
        if ALLOWED[c] {
            table[c] = 0;
        }
        c += 1;
    }
    table
};

/// Checks a URI: first the usual case, a scheme then only bytes allowed as they are, in one
/// pass without branches on each byte (the table's bits are or-ed together, which the compiler
/// unrolls); anything else (an escape, a mistake) takes the full check, which says what is
/// wrong. Reading a URI this way costs about a third of the full check alone.
fn check(text: &str) -> Result<(), &'static str> {
    let bytes = text.as_bytes();
    let not_plain = bytes
        .iter()
        .fold(0, |acc, &c| acc | NOT_PLAIN[usize::from(c)]);
    if not_plain == 0
        && let Some((&first, rest)) = bytes.split_first()
        && first.is_ascii_alphabetic()
    {
        for &c in rest {
            if c == b':' {
                return Ok(());
            }
            if !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')) {
                break;
            }
        }
    }
    check_in_full(text)
}

/// The full check: what `check` does, and why a text is refused.
fn check_in_full(text: &str) -> Result<(), &'static str> {
    let Some((scheme, rest)) = text.split_once(':') else {
        return Err("no scheme (such as `https:`)");
    };
    let mut s = scheme.bytes();
    if !s.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !s.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
    {
        return Err("the scheme must be a letter followed by letters, digits, `+`, `-` or `.`");
    }
    let b = rest.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            if !b
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
            {
                return Err("a `%` not followed by two hex digits");
            }
            i += 3;
            continue;
        }
        if !ALLOWED[usize::from(c)] {
            return Err(if c == b' ' {
                "a space (write it as %20)"
            } else if c.is_ascii() {
                "a character a URI may not hold (percent-encode it)"
            } else {
                "a non-ASCII character (percent-encode it)"
            });
        }
        i += 1;
    }
    Ok(())
}

impl FromStr for Uri {
    type Err = UriError;

    fn from_str(text: &str) -> Result<Self, UriError> {
        Uri::parse(text)
    }
}

impl TryFrom<String> for Uri {
    type Error = UriError;

    fn try_from(text: String) -> Result<Self, UriError> {
        Uri::parse(text)
    }
}

impl TryFrom<&str> for Uri {
    type Error = UriError;

    fn try_from(text: &str) -> Result<Self, UriError> {
        Uri::parse(text)
    }
}

impl AsRef<str> for Uri {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Uri {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Uri {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Uri::parse(text).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_uris() {
        for good in [
            "https://vc.example.com/cls/data/abc",
            "http://[::1]:8080/a?b=c&d=%2F#frag",
            "ds:///vmfs/volumes/datastore1/lib/item.ovf",
            "file:///tmp/x",
            "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
            "nfs://host/export/a;b=c",
            "x+y-z.w:",
        ] {
            assert_eq!(Uri::parse(good).map(|u| u.to_string()).as_deref(), Ok(good));
        }
    }

    #[test]
    fn refuses_what_is_not_a_uri() {
        for (bad, why) in [
            ("", "no scheme"),
            ("example.com/x", "no scheme"),
            ("1http://x", "the scheme"),
            (":x", "the scheme"),
            ("http://host/a b", "a space"),
            ("http://host/%zz", "two hex digits"),
            ("http://host/%4", "two hex digits"),
            ("http://host/é", "non-ASCII"),
            ("http://host/a\"b", "may not hold"),
            ("http://host/<a>", "may not hold"),
        ] {
            let err = Uri::parse(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn the_fast_path_agrees_with_the_full_check() {
        // Every text of up to four characters from an alphabet with a letter, a digit, scheme
        // punctuation, `:`, an escape's parts, a refused ASCII character and a non-ASCII one.
        let alphabet = [
            "a", "Z", "1", "+", ".", ":", "%", "2", "f", "/", " ", "<", "é",
        ];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = texts
                .iter()
                .filter(|t| t.chars().count() == texts.last().map_or(0, |l| l.chars().count()))
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
        }
        assert!(texts.len() > 30_000, "{}", texts.len());
        for text in texts.iter().map(String::as_str).chain([
            "https://vc.example.com/cls/static/lib/item/disk-1.vmdk?version=1",
            "https://vc.example.com/a%20b",
            "1http://x",
        ]) {
            assert_eq!(check(text), check_in_full(text), "{text:?}");
        }
    }

    #[test]
    fn is_a_checked_json_string() {
        let u: Uri = serde_json::from_str(r#""https://h/x""#).unwrap();
        assert_eq!(serde_json::to_string(&u).unwrap(), r#""https://h/x""#);
        let err = serde_json::from_str::<Uri>(r#""not a uri""#).unwrap_err();
        assert!(err.to_string().contains("invalid uri"), "{err}");
        assert!(serde_json::from_str::<Uri>("3").is_err());
    }
}
