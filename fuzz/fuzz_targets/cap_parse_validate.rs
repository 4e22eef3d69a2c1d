//! CAP (crates/cap): reading, validating, analysing and re-writing arbitrary
//! bytes must never panic, hang or allocate without bound; `analyze` must
//! agree with `parse` + `validate`; whatever parses must re-read equal.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let analysis = yingji_cap::analyze(data);
    let _ = analysis.report.to_string();
    // One reading, two entry points: the same verdicts.
    assert_eq!(yingji_cap::validate(data), analysis.report);
    assert_eq!(
        yingji_cap::parse(data).map(|d| d.alert),
        analysis.document.clone().map(|d| d.alert)
    );
    if let Ok(doc) = analysis.document {
        let _ = yingji_cap::summary(&doc.alert);
        let _ = yingji_cap::china::profile_problems(&doc.alert);
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
