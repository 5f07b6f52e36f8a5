//! The checksums a transfer computes as the bytes move, with the names `FileChecksumInfo`
//! gives them on the wire.

use std::fmt;

use sha1::Digest;

/// The checksum algorithms of `FileChecksumInfo.algorithm`, as the IDL documents them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ChecksumAlgorithm {
    /// SHA-1 (`SHA1`).
    Sha1,
    /// MD5 (`MD5`).
    Md5,
    /// SHA-256 (`SHA256`), what vCenter reports by default.
    Sha256,
    /// SHA-512 (`SHA512`).
    Sha512,
}

impl ChecksumAlgorithm {
    /// Every algorithm, in the IDL's order.
    pub const ALL: [ChecksumAlgorithm; 4] = [Self::Sha1, Self::Md5, Self::Sha256, Self::Sha512];

    /// The name on the wire: `SHA1`, `MD5`, `SHA256`, `SHA512`.
    pub fn wire_name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Md5 => "MD5",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }

    /// The algorithm of a wire name, in any case; `None` for one this crate cannot compute.
    ///
    /// ```
    /// use vapi_runtime::transfer::ChecksumAlgorithm;
    /// assert_eq!(ChecksumAlgorithm::from_wire("sha256"), Some(ChecksumAlgorithm::Sha256));
    /// assert_eq!(ChecksumAlgorithm::from_wire("CRC32"), None);
    /// ```
    pub fn from_wire(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.wire_name().eq_ignore_ascii_case(name))
    }

    /// A hasher for this algorithm.
    pub fn hasher(self) -> Hasher {
        Hasher(match self {
            Self::Sha1 => HasherState::Sha1(sha1::Sha1::new()),
            Self::Md5 => HasherState::Md5(md5::Md5::new()),
            Self::Sha256 => HasherState::Sha256(sha2::Sha256::new()),
            Self::Sha512 => HasherState::Sha512(sha2::Sha512::new()),
        })
    }
}

impl fmt::Display for ChecksumAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire_name())
    }
}

/// A checksum being computed; [`ChecksumAlgorithm::hasher`] makes one.
///
/// ```
/// use vapi_runtime::transfer::ChecksumAlgorithm;
///
/// let mut h = ChecksumAlgorithm::Md5.hasher();
/// h.update(b"a");
/// h.update(b"bc");
/// assert_eq!(h.finish().hex(), "900150983cd24fb0d6963f7d28e17f72");
/// ```
#[derive(Clone)]
pub struct Hasher(HasherState);

#[derive(Clone)]
enum HasherState {
    Sha1(sha1::Sha1),
    Md5(md5::Md5),
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hasher({})", self.algorithm())
    }
}

impl Hasher {
    /// The algorithm.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        match self.0 {
            HasherState::Sha1(_) => ChecksumAlgorithm::Sha1,
            HasherState::Md5(_) => ChecksumAlgorithm::Md5,
            HasherState::Sha256(_) => ChecksumAlgorithm::Sha256,
            HasherState::Sha512(_) => ChecksumAlgorithm::Sha512,
        }
    }

    /// Adds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        match &mut self.0 {
            HasherState::Sha1(h) => h.update(bytes),
            HasherState::Md5(h) => h.update(bytes),
            HasherState::Sha256(h) => h.update(bytes),
            HasherState::Sha512(h) => h.update(bytes),
        }
    }

    /// The checksum of every byte added.
    pub fn finish(self) -> Checksum {
        let algorithm = self.algorithm();
        let digest: Vec<u8> = match self.0 {
            HasherState::Sha1(h) => h.finalize().to_vec(),
            HasherState::Md5(h) => h.finalize().to_vec(),
            HasherState::Sha256(h) => h.finalize().to_vec(),
            HasherState::Sha512(h) => h.finalize().to_vec(),
        };
        let hex = digest.iter().map(|b| format!("{b:02x}")).collect();
        Checksum { algorithm, hex }
    }
}

/// A checksum: its algorithm and its value in lowercase hexadecimal, as
/// `FileChecksumInfo` carries it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Checksum {
    algorithm: ChecksumAlgorithm,
    hex: String,
}

impl Checksum {
    /// A checksum received from elsewhere (a server's `checksum_info`), kept in lowercase.
    pub fn new(algorithm: ChecksumAlgorithm, hex: impl Into<String>) -> Self {
        Checksum {
            algorithm,
            hex: hex.into().trim().to_ascii_lowercase(),
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        self.algorithm
    }

    /// The value, lowercase hexadecimal.
    pub fn hex(&self) -> &str {
        &self.hex
    }
}

/// `SHA256:9f86d0…`
impl fmt::Display for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex)
    }
}
