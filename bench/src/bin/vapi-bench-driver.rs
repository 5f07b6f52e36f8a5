//! Helpers for `bench/run.sh`, the whole-process, build-script and compile-time figures:
//!
//! - `vapi-bench-driver synth N DIR`: writes the synthetic IDL N times the real one into DIR;
//! - `vapi-bench-driver proto N DIR`: writes the equivalent `.proto` files into DIR;
//! - `vapi-bench-driver phases N RUNS`: times each phase in this process, RUNS times, and
//!   prints the medians (for sizes too big for the divan benches to repeat); `total` is
//!   what `vapi-codegen` runs: load, resolve, then emit and format streamed in parallel;
//! - `vapi-bench-driver prost DIR OUT` / `tonic DIR OUT`: runs prost-build (types) or
//!   tonic-prost-build (types, client, server) on the `.proto` files in DIR, writing into OUT.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use vapi_bench::{
    Anchor, emit, emit_files, load, proto_files, real_sources, resolve, run_anchor, synthetic,
};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn phases(n: usize, runs: usize) -> Result<(), String> {
    let real = real_sources()?;
    let sources = synthetic(&real, n);
    let bytes: usize = sources.iter().map(|s| s.text.len()).sum();
    let mut times: [Vec<Duration>; 6] = Default::default();
    let mut out_bytes = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let files = load(&sources)?;
        times[0].push(t.elapsed());
        let t = Instant::now();
        let model = resolve(files, &sources)?;
        times[1].push(t.elapsed());
        let t = Instant::now();
        let plain = emit(&model)?;
        times[2].push(t.elapsed());
        let t = Instant::now();
        let out = emit_files(&model)?;
        times[3].push(t.elapsed());
        out_bytes = out.values().map(String::len).sum();
        let t = Instant::now();
        drop((plain, out));
        times[4].push(t.elapsed());
        let t = Instant::now();
        let out = emit_files(&model)?;
        times[5].push(t.elapsed());
        drop((model, out));
    }
    let total: Vec<Duration> = (0..runs)
        .map(|i| times[0][i] + times[1][i] + times[5][i])
        .collect();
    println!(
        "N={n} idl={bytes} B out={out_bytes} B runs={runs} load={} resolve={} emit(unformatted, streamed)={} emit+format(streamed)={} drop={} emit+format(streamed, again)={} total(load+resolve+streamed)={}",
        ms(median(times[0].clone())),
        ms(median(times[1].clone())),
        ms(median(times[2].clone())),
        ms(median(times[3].clone())),
        ms(median(times[4].clone())),
        ms(median(times[5].clone())),
        ms(median(total)),
    );
    Ok(())
}

fn run(args: &[String]) -> Result<(), String> {
    let num = |i: usize| -> Result<usize, String> {
        args.get(i)
            .ok_or("missing argument")?
            .parse()
            .map_err(|e| format!("{e}"))
    };
    let dir = |i: usize| -> Result<PathBuf, String> {
        args.get(i)
            .map(PathBuf::from)
            .ok_or_else(|| "missing DIR".to_owned())
    };
    match args.first().map(String::as_str) {
        Some("synth") => {
            let sources = synthetic(&real_sources()?, num(1)?);
            vapi_bench::write_sources(&dir(2)?, &sources).map_err(|e| e.to_string())
        }
        Some("proto") => {
            let real = real_sources()?;
            let model = resolve(load(&real)?, &real)?;
            let files = proto_files(&model, num(1)?);
            vapi_bench::write_sources(&dir(2)?, &files).map_err(|e| e.to_string())
        }
        Some("phases") => phases(num(1)?, num(2)?),
        Some(which @ ("prost" | "tonic")) => {
            let which = if which == "prost" {
                Anchor::Prost
            } else {
                Anchor::Tonic
            };
            let (include, out) = (dir(1)?, dir(2)?);
            let mut protos: Vec<PathBuf> = std::fs::read_dir(&include)
                .map_err(|e| e.to_string())?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "proto"))
                .collect();
            protos.sort();
            std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
            run_anchor(which, &protos, &include, &out)
        }
        _ => Err(
            "usage: vapi-bench-driver (synth N DIR | proto N DIR | phases N RUNS | prost DIR OUT | tonic DIR OUT)"
                .into(),
        ),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
