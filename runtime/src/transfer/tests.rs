//! The transfer's own parts: checksums, partial files, URLs and where the session goes.

use tokio::io::AsyncWriteExt;

use super::download::PartialFile;
use super::*;

fn hex_of(algorithm: ChecksumAlgorithm, parts: &[&[u8]]) -> String {
    let mut h = algorithm.hasher();
    for p in parts {
        h.update(p);
    }
    h.finish().hex().to_owned()
}

#[test]
fn checksums_match_the_published_vectors() {
    // FIPS 180 and RFC 1321 vectors for "abc", fed in two pieces.
    let abc: &[&[u8]] = &[b"a", b"bc"];
    assert_eq!(
        hex_of(ChecksumAlgorithm::Sha1, abc),
        "a9993e364706816aba3e25717850c26c9cd0d89d"
    );
    assert_eq!(
        hex_of(ChecksumAlgorithm::Md5, abc),
        "900150983cd24fb0d6963f7d28e17f72"
    );
    assert_eq!(
        hex_of(ChecksumAlgorithm::Sha256, abc),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        hex_of(ChecksumAlgorithm::Sha512, abc),
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
         2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
    );
}

#[test]
fn wire_names_round_trip_in_any_case() {
    for a in ChecksumAlgorithm::ALL {
        assert_eq!(ChecksumAlgorithm::from_wire(a.wire_name()), Some(a));
        assert_eq!(
            ChecksumAlgorithm::from_wire(&a.wire_name().to_lowercase()),
            Some(a)
        );
    }
    assert_eq!(ChecksumAlgorithm::from_wire("SHA-256"), None);
}

#[test]
fn a_received_checksum_compares_without_case() {
    let ours = Checksum::new(ChecksumAlgorithm::Sha256, "ABCDEF");
    assert_eq!(ours, Checksum::new(ChecksumAlgorithm::Sha256, " abcdef"));
    assert_ne!(ours, Checksum::new(ChecksumAlgorithm::Sha512, "abcdef"));
    assert_eq!(ours.to_string(), "SHA256:abcdef");
}

#[tokio::test]
async fn a_partial_file_is_removed_unless_committed() {
    let dir = tempfile::tempdir().unwrap();
    let long = "é".repeat(120); // 240 bytes: the partial file's name must stay short
    let dest = dir.path().join(format!("a b#%{long}.bin"));
    let (partial, file) = PartialFile::create(&dest).await.unwrap();
    let path = partial.path.clone();
    assert!(path.exists());
    drop(file);
    drop(partial);
    assert!(!path.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    let (partial, mut file) = PartialFile::create(&dest).await.unwrap();
    file.write_all(b"x").await.unwrap();
    // tokio's `write_all` returns once the bytes are handed to a blocking thread: without the
    // flush the rename and the read below could run before the write lands (as download_file
    // flushes and syncs before committing).
    file.flush().await.unwrap();
    drop(file);
    partial.commit(&dest).await.unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), b"x");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_transfer_needs_an_http_url_and_sends_the_session_only_home() {
    let c = crate::client::ClientBuilder::new("https://vc.example.com/api")
        .session_id("s-1")
        .build()
        .unwrap();
    assert!(matches!(
        c.transfer("ds:///vmfs/volumes/x"),
        Err(TransferError::BadUrl { .. })
    ));
    assert!(c.transfer("not a url").is_err());
    let home = c.transfer("https://vc.example.com/x/y").unwrap();
    assert_eq!(home.session.as_deref(), Some("s-1"));
    assert!(home.with_session(false).session.is_none());
    let away = c.transfer("https://esx.example.com/x").unwrap();
    assert!(away.session.is_none());
    let other_port = c.transfer("https://vc.example.com:8443/x").unwrap();
    assert!(other_port.session.is_none());
}
