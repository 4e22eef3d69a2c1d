//! Parse + validate benchmark: `yingji-cap` against the `oasiscap` crate on
//! the same CAP files (see RESULTS.md beside this file for the command and figures).
//!
//! ```text
//! cap-bench [DIR] [SECONDS_PER_CASE]
//! ```
//!
//! For every `*.cap` in DIR (default `../../crates/cap/tests/data`), each
//! library reads and judges the file in a loop for SECONDS_PER_CASE (default
//! 1.0) after a warm-up; the mean time per call and the ratio are printed as a
//! Markdown table, with each library's verdict:
//!
//! - yingji-cap: `analyze(bytes)` — decode, read, build the typed alert and
//!   validate against the schema and the §3 rules; verdict = `report.is_valid()`.
//! - oasiscap: `str::from_utf8` + `parse::<oasiscap::Alert>()` — its parser is
//!   its validator (it refuses non-conforming input); verdict = `is_ok()`.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn ours(bytes: &[u8]) -> bool {
    let a = yingji_cap::analyze(bytes);
    a.report.is_valid()
}

fn theirs(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes)
        .ok()
        .map(|s| s.parse::<oasiscap::Alert>().is_ok())
        .unwrap_or(false)
}

/// Mean time of `f(bytes)` over a loop of about `budget`, after a warm-up.
fn time(bytes: &[u8], budget: Duration, f: fn(&[u8]) -> bool) -> (Duration, u64) {
    for _ in 0..20 {
        black_box(f(black_box(bytes)));
    }
    let start = Instant::now();
    let mut n = 0u64;
    let mut batch = 1u64;
    while start.elapsed() < budget {
        for _ in 0..batch {
            black_box(f(black_box(bytes)));
        }
        n += batch;
        batch = (batch * 2).min(1024);
    }
    (start.elapsed() / n.max(1) as u32, n)
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "../../crates/cap/tests/data".to_string()),
    );
    let secs: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let budget = Duration::from_secs_f64(secs);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "cap"))
            .collect(),
        Err(e) => {
            eprintln!("{}: {e}", dir.display());
            std::process::exit(2);
        }
    };
    files.sort();

    println!("| file | bytes | yingji-cap µs | oasiscap µs | oasiscap / yingji-cap | yingji-cap verdict | oasiscap verdict |");
    println!("| --- | ---: | ---: | ---: | ---: | --- | --- |");
    let (mut sum_ours, mut sum_theirs) = (0.0, 0.0);
    let mut disagree = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{name}: {e}");
                continue;
            }
        };
        let (v_ours, v_theirs) = (ours(&bytes), theirs(&bytes));
        let (t_ours, _) = time(&bytes, budget, ours);
        let (t_theirs, _) = time(&bytes, budget, theirs);
        sum_ours += us(t_ours);
        sum_theirs += us(t_theirs);
        let verdict = |v: bool| if v { "valid" } else { "invalid" };
        if v_ours != v_theirs {
            disagree.push(name.clone());
        }
        println!(
            "| {name} | {} | {:.1} | {:.1} | {:.2}× | {} | {} |",
            bytes.len(),
            us(t_ours),
            us(t_theirs),
            us(t_theirs) / us(t_ours),
            verdict(v_ours),
            verdict(v_theirs),
        );
    }
    println!(
        "| **all {} files** | | {:.1} | {:.1} | {:.2}× | | |",
        files.len(),
        sum_ours,
        sum_theirs,
        sum_theirs / sum_ours
    );
    if disagree.is_empty() {
        println!("\nSame verdict on every file.");
    } else {
        println!("\nVerdicts differ on: {}", disagree.join(", "));
    }
}
