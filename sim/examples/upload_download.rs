//! Uploads a file into a library item through an update session and downloads it back through
//! a download session, with the two flows of `vapi-cl` (streaming, checksums verified, the
//! session kept alive), against the simulator:
//!
//! ```text
//! cargo run -p vapi-sim --example upload_download                       # starts its own
//! cargo run -p vapi-sim --example upload_download -- http://127.0.0.1:8443 sim-item-1
//! ```

use std::error::Error;

use vapi_bindings::content::library::ItemId;
use vapi_cl::{DownloadOptions, UploadFile, UploadOptions};
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

/// The whole flow: `bytes` uploaded as `disk.bin`, downloaded into a temporary directory;
/// the SHA-256 both ends agree on.
pub async fn run(base: &str, item: &str, bytes: &[u8]) -> Result<String> {
    let connection = Connection::new(base)?;
    connection
        .login(vapi_sim::DEFAULT_USER, vapi_sim::DEFAULT_PASSWORD)
        .await?;
    let item = ItemId::new(item);

    // Upload: create update session → add file → PUT bytes → validate → complete.
    let source = UploadFile::reader(
        "disk.bin",
        std::io::Cursor::new(bytes.to_vec()),
        Some(u64::try_from(bytes.len())?),
    );
    let sent = vapi_cl::upload(&connection, &item, vec![source], &UploadOptions::default()).await?;

    // Download: create download session → prepare → poll until PREPARED → GET → delete.
    let dir = std::env::temp_dir().join(format!("vapi-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let options = DownloadOptions::default().files(["disk.bin"]);
    let got = vapi_cl::download(&connection, &item, &dir, &options).await;
    let read_back = std::fs::read(dir.join("disk.bin"));
    let _ = std::fs::remove_dir_all(&dir);
    let got = got?;
    connection.logout().await?;

    let up = sent.files[0].checksum.clone().ok_or("no upload checksum")?;
    let down = got.files[0]
        .checksum
        .clone()
        .ok_or("no download checksum")?;
    if read_back? != bytes || up != down {
        return Err("the downloaded bytes differ from the uploaded ones".into());
    }
    Ok(down.hex().to_owned())
}
