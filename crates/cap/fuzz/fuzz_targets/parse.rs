//! Fuzz target: reading, validating and re-writing arbitrary bytes must never
//! panic, hang or allocate without bound; whatever parses must re-read equal.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let analysis = yingji_cap::analyze(data);
    let _ = serde_json_free_report(&analysis.report);
    if let Ok(doc) = analysis.document {
        let _ = yingji_cap::summary(&doc.alert);
        let report = yingji_cap::validate_alert(&doc.alert);
        let xml = yingji_cap::to_xml(&doc.alert);
        let again = yingji_cap::parse(xml.as_bytes());
        // A typed alert without NaN/illegal characters re-reads to itself.
        if report
            .errors()
            .all(|p| p.code != "invalid-character" && p.code != "invalid-decimal")
        {
            if let Ok(again) = again {
                assert_eq!(again.alert, doc.alert);
            }
        }
    }
});

fn serde_json_free_report(r: &yingji_cap::Report) -> String {
    r.to_string()
}
