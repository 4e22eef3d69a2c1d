use super::*;
use time::macros::{date, datetime};

fn posting(id: i64, kind: DocKind, delta: i64) -> CardPosting {
    CardPosting {
        posting_id: id,
        posted_at: UtcText(datetime!(2026-12-01 02:00 UTC) + Duration::minutes(id)),
        doc_id: id * 10,
        doc_kind: kind,
        reason: String::new(),
        note: format!("n{id}"),
        batch_id: 1,
        batch_no: "B1".into(),
        delta,
    }
}

#[test]
fn the_card_runs_the_balance_from_the_opening() {
    use DocKind::*;
    // (opening, postings (kind, delta)) → (received, issued, balance) per line, totals
    type Case = (
        i64,
        Vec<(DocKind, i64)>,
        Vec<(i64, i64, i64)>,
        (i64, i64, i64, i64),
    );
    let cases: Vec<Case> = vec![
        (0, vec![], vec![], (0, 0, 0, 0)),
        (5, vec![], vec![], (5, 0, 0, 5)),
        (
            0,
            vec![(Receipt, 30), (Issue, -12), (Count, 2), (Writeoff, -5)],
            vec![(30, 0, 30), (0, 12, 18), (2, 0, 20), (0, 5, 15)],
            (0, 32, 17, 15),
        ),
        (
            40,
            vec![(Transfer, -40), (Reversal, 40)],
            vec![(0, 40, 0), (40, 0, 40)],
            (40, 40, 40, 40),
        ),
    ];
    for (opening, ps, want, (o, r, i, c)) in cases {
        let ps: Vec<CardPosting> = ps
            .into_iter()
            .enumerate()
            .map(|(n, (k, d))| posting(n as i64 + 1, k, d))
            .collect();
        let (lines, totals) = card(opening, &ps);
        let got: Vec<_> = lines
            .iter()
            .map(|l| (l.received, l.issued, l.balance))
            .collect();
        assert_eq!(got, want);
        assert_eq!(
            totals,
            Totals {
                opening: o,
                received: r,
                issued: i,
                closing: c
            }
        );
        assert_eq!(
            totals.opening + totals.received - totals.issued,
            totals.closing
        );
        for l in &lines {
            assert!(l.doc_number.len() == 8, "{}", l.doc_number);
        }
    }
}

#[test]
fn the_period_is_days_in_beijing_time_with_defaults_from_today() {
    let today = date!(2026 - 12 - 07);
    type Case = (
        Option<&'static str>,
        Option<&'static str>,
        Result<(&'static str, &'static str), Vec<(&'static str, &'static str)>>,
    );
    let cases: Vec<Case> = vec![
        (
            None,
            None,
            Ok(("2026-11-30T16:00:00.000Z", "2026-12-07T16:00:00.000Z")),
        ),
        (
            Some("2026-01-01"),
            Some("2026-01-31"),
            Ok(("2025-12-31T16:00:00.000Z", "2026-01-31T16:00:00.000Z")),
        ),
        (
            Some(""),
            Some(" 2026-12-01 "),
            Ok(("2026-11-30T16:00:00.000Z", "2026-12-01T16:00:00.000Z")),
        ),
        (
            Some("2026-12-08"),
            None,
            Err(vec![("to", "to_before_from")]),
        ),
        (
            Some("2026/12/01"),
            Some("x"),
            Err(vec![("from", "bad_date"), ("to", "bad_date")]),
        ),
        (Some("2010-01-01"), None, Err(vec![("to", "too_many")])),
    ];
    for (from, to, want) in cases {
        let got = period(from, to, today);
        match (got, want) {
            (Ok((f, t)), Ok((wf, wt))) => {
                assert_eq!(
                    (UtcText(f).text().as_str(), UtcText(t).text().as_str()),
                    (wf, wt)
                );
            }
            (Err(es), Err(we)) => {
                let got: Vec<_> = es.iter().map(|e| (e.field.as_str(), e.code)).collect();
                assert_eq!(got, we, "{from:?} {to:?}");
            }
            (g, w) => panic!("{from:?} {to:?}: {g:?} vs {w:?}"),
        }
    }
}
