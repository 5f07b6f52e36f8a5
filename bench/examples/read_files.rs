//! Reads the 100-file `File.Info` list of the `runtime` bench N times, into the generated
//! type or into the bench's hand-written one, for instruction counts, which unlike wall time do
//! not depend on the machine's load:
//!
//! ```sh
//! cargo build --release -p vapi-bench --example read_files
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/read_files generated 101
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/read_files generated 1
//! ```
//!
//! The difference of the two totals, divided by 100, is the instructions of one read.
//!
//! `read_files compare ROUNDS` times both in one process, alternating batches of 10 reads
//! (which goes first alternates too), and prints each one's median and fastest batch per read:
//! a load on the machine slows both alike, which a ratio of separate runs does not ensure.

// Like the benches: fixed inputs, a failure is a bug.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Instant;

use vapi_bindings::content::library::item::FileInfo;

#[path = "../benches/common/mod.rs"]
mod common;
use common::{HandFileInfo, files_json};

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_default();
    let times: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let json = files_json();
    if which == "compare" {
        compare(&json, times);
        return;
    }
    for _ in 0..times {
        match which.as_str() {
            "generated" => {
                black_box(serde_json::from_str::<Vec<FileInfo>>(black_box(&json)).unwrap());
            }
            "hand" => {
                black_box(serde_json::from_str::<Vec<HandFileInfo>>(black_box(&json)).unwrap());
            }
            _ => {
                eprintln!("usage: read_files generated|hand [TIMES] | compare [ROUNDS]");
                std::process::exit(2);
            }
        }
    }
}

/// Times `rounds` batches of reads of each kind, interleaved; prints medians and minimums.
fn compare(json: &str, rounds: usize) {
    const BATCH: u32 = 10;
    let generated = || {
        for _ in 0..BATCH {
            black_box(serde_json::from_str::<Vec<FileInfo>>(black_box(json)).unwrap());
        }
    };
    let hand = || {
        for _ in 0..BATCH {
            black_box(serde_json::from_str::<Vec<HandFileInfo>>(black_box(json)).unwrap());
        }
    };
    let time = |f: &dyn Fn()| {
        let start = Instant::now();
        f();
        start.elapsed().as_secs_f64() * 1e6 / f64::from(BATCH)
    };
    let (mut g, mut h) = (Vec::new(), Vec::new());
    for round in 0..rounds.max(1) {
        if round % 2 == 0 {
            g.push(time(&generated));
            h.push(time(&hand));
        } else {
            h.push(time(&hand));
            g.push(time(&generated));
        }
    }
    g.sort_by(f64::total_cmp);
    h.sort_by(f64::total_cmp);
    let (gm, hm) = (g[g.len() / 2], h[h.len() / 2]);
    println!(
        "generated median {gm:.2} µs (fastest {:.2}); hand-written median {hm:.2} µs (fastest {:.2}); \
         ratio of medians {:.3}, of fastest {:.3}",
        g[0],
        h[0],
        gm / hm,
        g[0] / h[0]
    );
}
