//! HTTPS: a certificate and key, made at start (self-signed, rcgen) or read from PEM files,
//! served with rustls.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};

/// A certificate chain and its private key, in PEM.
#[derive(Clone)]
pub struct TlsIdentity {
    cert_pem: String,
    key_pem: String,
}

impl fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("cert_pem", &self.cert_pem)
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

fn invalid(what: impl fmt::Display) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string())
}

impl TlsIdentity {
    /// A new self-signed certificate for `localhost`, `127.0.0.1` and `::1` and the given
    /// extra names (DNS names or IP addresses).
    ///
    /// # Errors
    ///
    /// If a name cannot go into a certificate.
    pub fn self_signed(extra_names: &[String]) -> std::io::Result<Self> {
        let mut names = vec!["localhost".to_owned(), "127.0.0.1".into(), "::1".into()];
        names.extend(extra_names.iter().cloned());
        let made = rcgen::generate_simple_self_signed(names).map_err(invalid)?;
        Ok(TlsIdentity {
            cert_pem: made.cert.pem(),
            key_pem: made.signing_key.serialize_pem(),
        })
    }

    /// A certificate chain and key given in PEM, checked to be readable.
    ///
    /// # Errors
    ///
    /// If either holds no certificate or key, or they do not belong together.
    pub fn from_pem(
        cert_pem: impl Into<String>,
        key_pem: impl Into<String>,
    ) -> std::io::Result<Self> {
        let identity = TlsIdentity {
            cert_pem: cert_pem.into(),
            key_pem: key_pem.into(),
        };
        identity.server_config()?;
        Ok(identity)
    }

    /// A certificate chain and key read from PEM files.
    ///
    /// # Errors
    ///
    /// If a file cannot be read or is not as [`from_pem`](Self::from_pem) asks.
    pub fn from_files(cert: &Path, key: &Path) -> std::io::Result<Self> {
        let read = |p: &Path| {
            std::fs::read_to_string(p)
                .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", p.display())))
        };
        TlsIdentity::from_pem(read(cert)?, read(key)?)
    }

    /// The certificate chain in PEM: what a client adds as a root to trust the simulator.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The private key in PEM (to write it next to the certificate, say).
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    fn server_config(&self) -> std::io::Result<ServerConfig> {
        let certs = CertificateDer::pem_slice_iter(self.cert_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(format!("the certificate: {e}")))?;
        if certs.is_empty() {
            return Err(invalid("the certificate file holds no certificate"));
        }
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes())
            .map_err(|e| invalid(format!("the private key: {e}")))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(invalid)?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| invalid(format!("the certificate and key: {e}")))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(config)
    }

    pub(crate) fn acceptor(&self) -> std::io::Result<TlsAcceptor> {
        Ok(TlsAcceptor::from(Arc::new(self.server_config()?)))
    }
}
