//! Validates CAP files and prints the report (and the summary of readable ones):
//! `cargo run -p yingji-cap --example cap_check -- FILE... [--json]`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let mut ok = true;
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                ok = false;
                continue;
            }
        };
        let analysis = yingji_cap::analyze(&bytes);
        ok &= analysis.report.is_valid();
        if json {
            match serde_json::to_string_pretty(&analysis.report) {
                Ok(s) => println!("{s}"),
                Err(e) => eprintln!("{path}: {e}"),
            }
        } else {
            print!("{path}: {}", analysis.report);
            if let Ok(doc) = &analysis.document {
                println!("{}", yingji_cap::summary(&doc.alert));
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
