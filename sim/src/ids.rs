//! Identifiers: UUIDs for sessions as vCenter gives them, and unguessable capability tokens
//! for transfer URLs.

/// 16 random bytes from the operating system.
fn random() -> std::io::Result<[u8; 16]> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random (version 4) UUID in its usual text form, such as vCenter's session ids.
pub(crate) fn uuid() -> std::io::Result<String> {
    let mut b = random()?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// Whether `text` has the shape of a UUID (`b8a2a2e3-2314-43cd-a871-6ede0f429751`, either
/// case), as the documentation asks of a `client_token`.
pub(crate) fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// 128 random bits as 32 hex digits: a capability token (and a name for a file on disk).
pub(crate) fn token() -> std::io::Result<String> {
    random().map(|b| hex(&b))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[test]
    fn uuids_have_the_v4_shape_and_differ() {
        let a = super::uuid().unwrap();
        let b = super::uuid().unwrap();
        assert_ne!(a, b);
        let groups: Vec<usize> = a.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
        assert_eq!(super::token().unwrap().len(), 32);
        assert!(super::is_uuid(&a));
        assert!(super::is_uuid("B8A2A2E3-2314-43CD-A871-6EDE0F429751"));
        for bad in [
            "",
            "not-a-uuid",
            "b8a2a2e3-2314-43cd-a871-6ede0f42975",
            "b8a2a2e3x2314-43cd-a871-6ede0f429751",
            "g8a2a2e3-2314-43cd-a871-6ede0f429751",
        ] {
            assert!(!super::is_uuid(bad), "{bad}");
        }
    }
}
