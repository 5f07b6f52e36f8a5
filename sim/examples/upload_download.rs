//! Uploads a file through an update session and downloads it through a download session, with
//! the generated clients, against the simulator:
//!
//! ```text
//! cargo run -p vapi-sim --example upload_download                       # starts its own
//! cargo run -p vapi-sim --example upload_download -- http://127.0.0.1:8443 sim-item-1
//! ```

use std::error::Error;
use std::time::Duration;

use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::downloadsession::{self as dls, File as _};
use vapi_bindings::content::library::item::updatesession::{self as ups, File as _};
use vapi_bindings::content::library::item::{
    DownloadSession as _, DownloadSessionModel, FileChecksumAlgorithm, FileChecksumInfo,
    UpdateSession as _, UpdateSessionModel, download_session, update_session,
};
use vapi_runtime::client::Connection;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let (base, item, _server) = match args.next() {
        Some(url) => (
            url,
            args.next().unwrap_or_else(|| vapi_sim::DEFAULT_ITEM.into()),
            None,
        ),
        None => {
            let (addr, _, task) = vapi_sim::spawn("127.0.0.1:0", |_| {}).await?;
            (
                format!("http://{addr}"),
                vapi_sim::DEFAULT_ITEM.to_owned(),
                Some(task),
            )
        }
    };
    let bytes = b"hello, content library\n".repeat(1000);
    let checksum = run(&base, &item, &bytes).await?;
    println!(
        "uploaded and downloaded {} bytes, sha256 {checksum}",
        bytes.len()
    );
    Ok(())
}

/// The whole flow; the checksum both ends agree on.
pub async fn run(base: &str, item: &str, bytes: &[u8]) -> Result<String> {
    let connection = Connection::new(base)?;
    connection
        .login(vapi_sim::DEFAULT_USER, vapi_sim::DEFAULT_PASSWORD)
        .await?;
    let http = reqwest::Client::new();
    let expected = sha256_hex(bytes);

    // Upload: create → add file → PUT bytes → validate → complete.
    let updates = update_session::Client::new(connection.clone());
    let update_files = ups::file::Client::new(connection.clone());
    let spec = UpdateSessionModel {
        library_item_id: Some(ItemId::new(item)),
        ..Default::default()
    };
    let session = updates.create(Some("example-upload".into()), spec).await?;
    let mut add = ups::FileAddSpec::new("disk.bin".into(), ups::FileSourceType::Push);
    add.size = Some(i64::try_from(bytes.len())?);
    let mut sum = FileChecksumInfo::new(expected.clone());
    sum.algorithm = Some(FileChecksumAlgorithm::Sha256);
    add.checksum_info = Some(sum);
    let added = update_files.add(session.clone(), add).await?;
    let upload = added.upload_endpoint.ok_or("no upload endpoint")?;
    http.put(upload.uri.as_str())
        .body(bytes.to_vec())
        .send()
        .await?
        .error_for_status()?;
    let validation = update_files.validate(session.clone()).await?;
    if validation.has_errors {
        return Err(format!("validation failed: {validation:?}").into());
    }
    updates.complete(session.clone()).await?;
    updates.delete(session).await?;

    // Download: create → prepare → poll until PREPARED → GET → keep alive → delete.
    let downloads = download_session::Client::new(connection.clone());
    let download_files = dls::file::Client::new(connection.clone());
    let spec = DownloadSessionModel {
        library_item_id: Some(ItemId::new(item)),
        ..Default::default()
    };
    let session = downloads.create(None, spec).await?;
    download_files
        .prepare(session.clone(), "disk.bin".into(), None)
        .await?;
    let file = loop {
        let file = download_files
            .get(session.clone(), "disk.bin".into())
            .await?;
        if file.status == dls::FilePrepareStatus::Prepared {
            break file;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let endpoint = file.download_endpoint.ok_or("no download endpoint")?;
    let got = http
        .get(endpoint.uri.as_str())
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    downloads.keep_alive(session.clone(), Some(100)).await?;
    downloads.delete(session).await?;
    connection.logout().await?;

    let got_sum = sha256_hex(&got);
    let server_sum = file.checksum_info.map(|c| c.checksum).unwrap_or_default();
    if got.as_ref() != bytes || got_sum != expected || server_sum != expected {
        return Err("the downloaded bytes differ from the uploaded ones".into());
    }
    Ok(got_sum)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
