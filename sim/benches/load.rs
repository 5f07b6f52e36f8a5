//! The simulator under load: concurrent clients, each logged in on its own connection, running
//! the full documented flows against a simulator on 127.0.0.1 — upload (create an update
//! session, waiting while another client holds the item: `ResourceBusy` is a legal answer; add
//! the file; PUT; validate; complete) then download (create, prepare, GET, delete) — on a few
//! items they contend for. Every download is compared with what that client uploaded last.
//! Prints flows per second and the latency of a whole flow (p50, p99, max); exits non-zero if
//! any flow failed or lost data.
//!
//! ```sh
//! cargo bench -p vapi-sim --bench load
//! LOAD_CLIENTS=16 LOAD_ITEMS=4 LOAD_SECS=20 LOAD_BYTES=262144 cargo bench -p vapi-sim --bench load
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `data` for client `client`'s flow `round`: distinct per flow, so a lost or mixed-up write
/// shows.
fn data(client: u64, round: u64, len: usize) -> Vec<u8> {
    let seed = client.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ round;
    (0..len)
        .map(|i| (seed.wrapping_add(i as u64).wrapping_mul(31) >> 3) as u8)
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let clients = setting("LOAD_CLIENTS", 16);
    let items = setting("LOAD_ITEMS", 4).max(1);
    let secs = setting("LOAD_SECS", 20);
    let bytes = setting("LOAD_BYTES", 256 << 10) as usize;
    let item_names: Vec<String> = (0..items).map(|i| format!("load-item-{i}")).collect();
    let names = item_names.clone();
    let (addr, _sim, task) = vapi_sim::spawn("127.0.0.1:0", move |c| c.items = names)
        .await
        .unwrap();
    let base = format!("http://{addr}");
    println!(
        "vapi-sim load: {clients} clients, {items} contended items, {bytes}-byte files, {secs} s, on {base}"
    );
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let mut workers = Vec::new();
    for client in 0..clients {
        let base = base.clone();
        let item = item_names[(client % items) as usize].clone();
        workers.push(tokio::spawn(async move {
            let c = vapi_runtime::client::Connection::new(&base).unwrap();
            c.login(vapi_sim::DEFAULT_USER, vapi_sim::DEFAULT_PASSWORD)
                .await
                .unwrap();
            let http = reqwest::Client::new();
            let name = format!("client-{client}.bin");
            let mut latencies = Vec::new();
            let mut failures = Vec::new();
            let mut round = 0;
            while Instant::now() < deadline {
                let sent = data(client, round, bytes);
                let t = Instant::now();
                let outcome = async {
                    common::upload(&c, &http, &item, &name, &sent).await?;
                    let got = common::download(&c, &http, &item, &name).await?;
                    if got != sent {
                        return Err(format!("{name} in {item}: the bytes differ"));
                    }
                    Ok::<(), String>(())
                }
                .await;
                match outcome {
                    Ok(()) => latencies.push(t.elapsed()),
                    Err(e) => failures.push(e),
                }
                round += 1;
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = Vec::new();
    for w in workers {
        let (l, f) = w.await.unwrap();
        latencies.extend(l);
        failures.extend(f);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let flows = latencies.len();
    println!(
        "flows: {flows} in {:.1} s = {:.1} flows/s ({:.1} MiB/s up + down)",
        elapsed.as_secs_f64(),
        flows as f64 / elapsed.as_secs_f64(),
        (2 * flows * bytes) as f64 / elapsed.as_secs_f64() / (1 << 20) as f64
    );
    println!(
        "flow latency: p50 {}, p99 {}, max {}",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0)),
        ms(latencies.last().copied().unwrap_or_default())
    );
    println!("failed flows: {}", failures.len());
    for f in failures.iter().take(10) {
        println!("  {f}");
    }
    task.abort();
    if !failures.is_empty() || flows == 0 {
        std::process::exit(1);
    }
}
