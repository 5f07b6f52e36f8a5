//! Lists the files of a library item: `vapi-first-example [SERVER] [ITEM]`.

use vapi_bindings::{Api, Connection};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let server = args.next().unwrap_or("http://127.0.0.1:8443".into());
    let item = args.next().unwrap_or("sim-item-1".into());

    let user = "administrator@vsphere.local";
    let password = std::env::var("VAPI_PASSWORD")?;
    let connection = Connection::new(server)?;
    connection.login(user, &password).await?;
    let api = Api::new(connection);

    for file in api.item_file().list(item).await? {
        println!("{}\t{} bytes", file.name, file.size);
    }
    Ok(())
}
