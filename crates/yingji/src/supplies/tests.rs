//! The ledger's rules as tables, and the property that any sequence of
//! postings keeps the kept balances equal to the ones derived from the
//! postings and never below zero — on the in-memory ledger, and on the
//! store (SQLite, and PostgreSQL when `YINGJI_TEST_DATABASE_URL` is set)
//! agreeing with it step by step.

use super::*;
use proptest::prelude::*;
use time::macros::{date, datetime};

#[test]
fn codes_follow_gb_t_38565() {
    for (code, want) in [
        ("1010101", Some(Category::Living)),
        ("2990199", Some(Category::Equipment)),
        ("3050201", Some(Category::Engineering)),
        ("4010101", None),  // no 大类 4
        ("0010101", None),  // no 大类 0
        ("1000101", None),  // 中类 00
        ("1010001", None),  // 小类 00
        ("1010100", None),  // 细类 00
        ("101010", None),   // six digits
        ("10101011", None), // eight
        ("1O10101", None),  // a letter
        ("", None),
    ] {
        assert_eq!(check_code(code).ok(), want, "{code}");
    }
    assert_eq!(
        check_code("x").map_err(|e| e.code).err(),
        Some("bad_supply_code")
    );
}

fn held(b: i64, exp: Option<&str>, q: i64) -> Held {
    Held {
        batch_id: b,
        expires_on: exp.map(String::from),
        qty: q,
    }
}

#[test]
fn first_expiry_first_out() {
    let stock = [
        held(1, Some("2027-06-01"), 10),
        held(2, Some("2026-12-31"), 5),
        held(3, None, 100),
        held(4, Some("2026-12-31"), 5),
        held(5, Some("2026-01-01"), 0),
    ];
    for (need, want) in [
        (3, Some(vec![(2, 3)])),
        (5, Some(vec![(2, 5)])),
        (7, Some(vec![(2, 5), (4, 2)])),
        (12, Some(vec![(2, 5), (4, 5), (1, 2)])),
        (30, Some(vec![(2, 5), (4, 5), (1, 10), (3, 10)])),
        (120, Some(vec![(2, 5), (4, 5), (1, 10), (3, 100)])),
        (121, None),
    ] {
        assert_eq!(fefo(&stock, need), want, "need {need}");
    }
    assert_eq!(fefo(&[], 1), None);
}

fn doc(state: DocState, kind: DocKind) -> Doc {
    let t = crate::db::UtcText(datetime!(2026-07-01 08:00 UTC));
    Doc {
        id: 7,
        kind,
        reason: String::new(),
        warehouse_id: 1,
        division: "140213".into(),
        to_warehouse_id: None,
        to_division: String::new(),
        reverses: None,
        state,
        note: String::new(),
        created_by: "a".into(),
        created_at: t,
        approved_by: String::new(),
        approved_at: None,
        posted_by: String::new(),
        posted_at: None,
        updated_at: t,
        version: 1,
    }
}

#[test]
fn documents_are_drafted_approved_posted() {
    use DocState::*;
    let now = datetime!(2026-07-02 08:00 UTC);
    let approve = DocCommand::Approve {};
    let post = DocCommand::Post {};
    for (from, cmd, to) in [
        (Draft, &approve, Some(Approved)),
        (Draft, &post, None),
        (Approved, &approve, None),
        (Approved, &post, Some(Posted)),
        (Posted, &approve, None),
        (Posted, &post, None),
    ] {
        let got = apply(doc(from, DocKind::Issue), cmd, "b", now);
        assert_eq!(got.as_ref().ok().map(|d| d.state), to, "{from:?} {cmd:?}");
        if let Err(RuleError::State(r)) = got {
            assert_eq!(r.code, "supply_doc_step_not_allowed");
        }
    }
    let d = apply(doc(Approved, DocKind::Issue), &post, "b", now).unwrap();
    assert_eq!(
        (d.posted_by.as_str(), d.posted_at.map(|t| t.0)),
        ("b", Some(now))
    );
    // Deleted only unposted; reversed only posted, once, not a reversal.
    for (s, del) in [(Draft, true), (Approved, true), (Posted, false)] {
        assert_eq!(check_delete(&doc(s, DocKind::Receipt)).is_ok(), del);
    }
    assert_eq!(
        allowed(&doc(Draft, DocKind::Issue)),
        vec!["approve", "delete"]
    );
    assert_eq!(
        allowed(&doc(Approved, DocKind::Issue)),
        vec!["post", "delete"]
    );
    assert!(allowed(&doc(Posted, DocKind::Issue)).is_empty());
    let code = |r: Result<(), RuleError>| match r {
        Ok(()) => "ok",
        Err(RuleError::State(r) | RuleError::Forbidden(r)) => r.code,
        Err(RuleError::Field(f)) => f.code,
    };
    assert_eq!(
        code(check_reverse(&doc(Posted, DocKind::Issue), false)),
        "ok"
    );
    assert_eq!(
        code(check_reverse(&doc(Posted, DocKind::Issue), true)),
        "already_reversed"
    );
    assert_eq!(
        code(check_reverse(&doc(Approved, DocKind::Issue), false)),
        "reverse_posted_only"
    );
    assert_eq!(
        code(check_reverse(&doc(Posted, DocKind::Reversal), false)),
        "no_reversal_of_reversal"
    );
}

fn stock(rows: &[(i64, i64, Held)]) -> Stock {
    let mut s: Stock = BTreeMap::new();
    for (w, i, h) in rows {
        s.entry((*w, *i)).or_default().push(h.clone());
    }
    s
}

fn pl(item: i64, batch: Option<i64>, qty: i64) -> PlanLine {
    PlanLine {
        item_id: item,
        batch_id: batch,
        qty,
    }
}

fn mv(acc: Account, item: i64, batch: i64, delta: i64) -> Movement {
    Movement {
        account: acc,
        item_id: item,
        batch_id: batch,
        delta,
    }
}

#[test]
fn each_kind_posts_both_sides() {
    use Account::{Outside as O, Warehouse as W};
    let s = stock(&[
        (1, 10, held(100, Some("2027-01-01"), 5)),
        (1, 10, held(101, Some("2026-09-01"), 3)),
    ]);
    let code = |r: Result<Vec<Movement>, RuleError>| match r {
        Ok(_) => "ok",
        Err(RuleError::State(r) | RuleError::Forbidden(r)) => r.code,
        Err(RuleError::Field(f)) => f.code,
    };
    // 入库 (donation): into the warehouse, out of the donor.
    assert_eq!(
        plan(
            DocKind::Receipt,
            "donation",
            1,
            None,
            &[pl(10, Some(102), 4)],
            &s
        )
        .unwrap(),
        vec![mv(W(1), 10, 102, 4), mv(O("donor"), 10, 102, -4)]
    );
    // 出库 without a batch: first expiry first.
    assert_eq!(
        plan(DocKind::Issue, "relief", 1, None, &[pl(10, None, 4)], &s).unwrap(),
        vec![
            mv(W(1), 10, 101, -3),
            mv(O("relief"), 10, 101, 3),
            mv(W(1), 10, 100, -1),
            mv(O("relief"), 10, 100, 1)
        ]
    );
    // Two lines of the same item: the second reads what the first left.
    assert_eq!(
        code(plan(
            DocKind::Issue,
            "relief",
            1,
            None,
            &[pl(10, None, 5), pl(10, None, 4)],
            &s
        )),
        "insufficient_stock"
    );
    // A named batch with too little, an unknown item: refused.
    assert_eq!(
        code(plan(
            DocKind::Issue,
            "relief",
            1,
            None,
            &[pl(10, Some(101), 4)],
            &s
        )),
        "insufficient_stock"
    );
    assert_eq!(
        code(plan(
            DocKind::Writeoff,
            "damaged",
            1,
            None,
            &[pl(11, None, 1)],
            &s
        )),
        "insufficient_stock"
    );
    // 调拨: out of one warehouse into the other, the same batch.
    assert_eq!(
        plan(
            DocKind::Transfer,
            "",
            1,
            Some(2),
            &[pl(10, Some(100), 2)],
            &s
        )
        .unwrap(),
        vec![mv(W(1), 10, 100, -2), mv(W(2), 10, 100, 2)]
    );
    // 盘点: the difference, either way; none when it agrees.
    assert_eq!(
        plan(
            DocKind::Count,
            "",
            1,
            None,
            &[pl(10, Some(100), 7), pl(10, Some(101), 1)],
            &s
        )
        .unwrap(),
        vec![
            mv(W(1), 10, 100, 2),
            mv(O("count"), 10, 100, -2),
            mv(W(1), 10, 101, -2),
            mv(O("count"), 10, 101, 2)
        ]
    );
    assert!(
        plan(DocKind::Count, "", 1, None, &[pl(10, Some(100), 5)], &s)
            .unwrap()
            .is_empty()
    );
    // Double entry: every plan sums to zero per item and batch; a
    // reversal is its exact opposite.
    let m = plan(DocKind::Issue, "relief", 1, None, &[pl(10, None, 8)], &s).unwrap();
    assert!(unbalanced(&m).is_empty());
    let r = reverse(&m);
    assert!(unbalanced(&r).is_empty());
    assert_eq!(r[0], mv(W(1), 10, 101, 3));
}

fn new_doc(kind: DocKind, lines: Vec<LineInput>) -> NewDoc {
    NewDoc {
        kind,
        reason: String::new(),
        warehouse_id: 1,
        to_warehouse_id: None,
        note: String::new(),
        lines,
    }
}

fn line(item: i64, qty: i64) -> LineInput {
    LineInput {
        item_id: item,
        qty,
        batch_id: None,
        batch_no: String::new(),
        supplier: String::new(),
        produced_on: None,
        expires_on: None,
    }
}

#[test]
fn documents_name_every_wrong_field() {
    let items: BTreeMap<i64, ItemFacts> = [(
        1,
        ItemFacts {
            shelf_life_days: Some(365),
        },
    )]
    .into();
    let fields = |b: NewDoc| -> Vec<String> {
        match check_doc(&b, &items) {
            Ok(_) => vec![],
            Err(e) => e
                .into_iter()
                .map(|f| format!("{}:{}", f.field, f.code))
                .collect(),
        }
    };
    let mut b = new_doc(DocKind::Issue, vec![line(1, 0), line(9, 3)]);
    b.reason = "gift".into();
    b.to_warehouse_id = Some(2);
    assert_eq!(
        fields(b),
        vec![
            "reason:not_allowed",
            "to_warehouse_id:transfer_only",
            "lines[0].qty:out_of_range",
            "lines[1].item_id:supply_item_not_found"
        ]
    );
    let mut t = new_doc(DocKind::Transfer, vec![line(1, 1)]);
    assert_eq!(fields(t.clone()), vec!["to_warehouse_id:required"]);
    t.to_warehouse_id = Some(1);
    assert_eq!(fields(t), vec!["to_warehouse_id:same_warehouse"]);
    assert_eq!(
        fields(new_doc(DocKind::Count, vec![line(1, 0)])),
        vec!["lines[0].batch_id:required"]
    );
    assert_eq!(
        fields(new_doc(DocKind::Receipt, vec![])),
        vec!["lines:required"]
    );
    let mut r = line(1, 5);
    r.produced_on = Some("2026-07-01".into());
    r.expires_on = Some("2026-06-01".into());
    assert_eq!(
        fields(new_doc(DocKind::Receipt, vec![r.clone()])),
        vec!["lines[0].expires_on:expires_before_produced"]
    );
    // The expiry defaults to production + the item's shelf life.
    r.expires_on = None;
    let (reason, _, lines) = check_doc(&new_doc(DocKind::Receipt, vec![r]), &items).unwrap();
    assert_eq!(
        (reason.as_str(), lines[0].expires_on.as_deref()),
        ("purchase", Some("2027-07-01"))
    );
    let mut i = line(1, 5);
    i.expires_on = Some("2027-01-01".into());
    assert_eq!(
        fields(new_doc(DocKind::Issue, vec![i])),
        vec!["lines[0].expires_on:receipt_only"]
    );
    assert_eq!(
        fields(new_doc(DocKind::Reversal, vec![line(1, 1)])),
        vec!["kind:reversal_by_reverse"]
    );
}

#[test]
fn alerts_by_expiry_and_minimum() {
    let today = date!(2026 - 07 - 01);
    for (exp, want) in [
        (None, Expiry::Ok),
        (Some("2026-06-30"), Expiry::Expired),
        (Some("2026-07-01"), Expiry::Near),
        (Some("2026-07-31"), Expiry::Near),
        (Some("2026-08-01"), Expiry::Ok),
        (Some("not a date"), Expiry::Ok),
    ] {
        assert_eq!(expiry(exp, today, 30), want, "{exp:?}");
    }
    assert!(below_minimum(9, 10));
    assert!(!below_minimum(10, 10));
}

// ── the property ───────────────────────────────────────────────────────

/// A step of a random history.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    Receipt {
        w: i64,
        item: i64,
        qty: i64,
        exp: u8,
    },
    Issue {
        w: i64,
        item: i64,
        qty: i64,
        batch: Option<u8>,
    },
    Transfer {
        w: i64,
        to: i64,
        item: i64,
        qty: i64,
    },
    Count {
        w: i64,
        item: i64,
        batch: u8,
        qty: i64,
    },
    Writeoff {
        w: i64,
        item: i64,
        qty: i64,
    },
    Reverse {
        n: u8,
    },
}

pub(crate) fn op() -> impl Strategy<Value = Op> {
    let w = 1i64..=3;
    let item = 1i64..=2;
    prop_oneof![
        3 => (w.clone(), item.clone(), 1i64..50, 0u8..5)
            .prop_map(|(w, item, qty, exp)| Op::Receipt { w, item, qty, exp }),
        3 => (w.clone(), item.clone(), 1i64..60, proptest::option::of(0u8..8))
            .prop_map(|(w, item, qty, batch)| Op::Issue { w, item, qty, batch }),
        2 => (w.clone(), 1i64..=3, item.clone(), 1i64..40)
            .prop_map(|(w, to, item, qty)| Op::Transfer { w, to, item, qty }),
        1 => (w.clone(), item.clone(), 0u8..8, 0i64..30)
            .prop_map(|(w, item, batch, qty)| Op::Count { w, item, batch, qty }),
        1 => (w.clone(), item.clone(), 1i64..20)
            .prop_map(|(w, item, qty)| Op::Writeoff { w, item, qty }),
        1 => (0u8..20).prop_map(|n| Op::Reverse { n }),
    ]
}

/// A step as a document for the ledger: (kind, reason, warehouse, to,
/// lines), or a reversal of an earlier posted step. `batches` are the
/// receipts' batches so far, by item, in order.
pub(crate) enum Step {
    Doc(DocKind, i64, Option<i64>, Vec<PlanLine>),
    Reverse(usize),
    Skip,
}

pub(crate) fn step(o: &Op, batches: &BTreeMap<i64, Vec<i64>>, posted: usize) -> Step {
    let pick = |item: i64, n: u8| {
        batches
            .get(&item)
            .filter(|v| !v.is_empty())
            .map(|v| v[n as usize % v.len()])
    };
    match *o {
        Op::Receipt { .. } => Step::Skip, // receipts need a new batch: the caller makes it
        Op::Issue {
            w,
            item,
            qty,
            batch,
        } => {
            let b = match batch {
                Some(n) => match pick(item, n) {
                    Some(b) => Some(b),
                    None => return Step::Skip,
                },
                None => None,
            };
            Step::Doc(DocKind::Issue, w, None, vec![pl(item, b, qty)])
        }
        Op::Transfer { w, to, item, qty } if w != to => {
            Step::Doc(DocKind::Transfer, w, Some(to), vec![pl(item, None, qty)])
        }
        Op::Transfer { .. } => Step::Skip,
        Op::Count {
            w,
            item,
            batch,
            qty,
        } => match pick(item, batch) {
            Some(b) => Step::Doc(DocKind::Count, w, None, vec![pl(item, Some(b), qty)]),
            None => Step::Skip,
        },
        Op::Writeoff { w, item, qty } => {
            Step::Doc(DocKind::Writeoff, w, None, vec![pl(item, None, qty)])
        }
        Op::Reverse { n } if posted > 0 => Step::Reverse(n as usize % posted),
        Op::Reverse { .. } => Step::Skip,
    }
}

pub(crate) fn expiry_of(exp: u8) -> Option<String> {
    (exp > 0).then(|| format!("2027-0{exp}-01"))
}

fn invariant(l: &Ledger) -> Result<(), TestCaseError> {
    let kept: BTreeMap<_, _> = l
        .balances
        .iter()
        .filter(|(_, v)| **v != 0)
        .map(|(k, v)| (*k, *v))
        .collect();
    let derived: BTreeMap<_, _> = l.derived().into_iter().filter(|(_, v)| *v != 0).collect();
    prop_assert_eq!(&kept, &derived);
    prop_assert!(l.balances.values().all(|v| *v >= 0), "{:?}", l.balances);
    for doc in &l.journal {
        prop_assert!(unbalanced(doc).is_empty());
    }
    Ok(())
}

proptest! {
    #[test]
    fn any_sequence_keeps_balances_derived_and_non_negative(ops in proptest::collection::vec(op(), 1..60)) {
        let mut l = Ledger::default();
        let mut batches: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        let mut next_batch = 1;
        let mut reversed = std::collections::BTreeSet::new();
        for o in &ops {
            let r = if let Op::Receipt { w, item, qty, exp } = *o {
                let b = next_batch;
                next_batch += 1;
                l.expiry.insert(b, expiry_of(exp));
                batches.entry(item).or_default().push(b);
                l.post(DocKind::Receipt, "purchase", w, None, &[pl(item, Some(b), qty)])
            } else {
                match step(o, &batches, l.journal.len()) {
                    Step::Doc(kind, w, to, lines) => l.post(kind, "", w, to, &lines),
                    Step::Reverse(n) if reversed.insert(n) => l.reverse(n),
                    Step::Reverse(_) | Step::Skip => continue,
                }
            };
            if let Err(e) = &r {
                prop_assert!(matches!(e, RuleError::State(r) if r.code == "insufficient_stock"), "{e:?}");
            }
            invariant(&l)?;
        }
    }
}

// ── the same property on the store ─────────────────────────────────────

mod on_the_store {
    use super::*;
    use crate::db::{testing, Db, UtcText};
    use crate::journal::{Change, NewEntry};

    async fn add_items(db: &Db) {
        let mut tx = Change::on(db).await.unwrap();
        for (code, name) in [("1010101", "救灾帐篷"), ("1020101", "棉被")] {
            let i = NewItem {
                code: code.into(),
                name: name.into(),
                unit: "件".into(),
                specification: String::new(),
                shelf_life_days: None,
                storage: String::new(),
            };
            store::insert_item(
                &mut tx,
                &i,
                Category::Living,
                UtcText(time::OffsetDateTime::now_utc()),
            )
            .await
            .unwrap();
        }
        tx.commit(
            time::OffsetDateTime::now_utc(),
            vec![NewEntry::new(
                "t",
                "supplies",
                "1402",
                "item",
                0,
                "created",
                serde_json::json!({}),
            )],
        )
        .await
        .unwrap();
    }

    /// Draft, approve and post a document through the store, as the API
    /// does; Ok(doc id) or the refusal.
    async fn post(db: &Db, mut d: Doc, lines: Vec<Line>) -> Result<i64, RuleError> {
        let now = time::OffsetDateTime::now_utc();
        let mut tx = Change::on(db).await.unwrap();
        d.id = store::insert_doc(&mut tx, &d, &lines).await.unwrap();
        tx.commit(
            now,
            vec![NewEntry::new(
                "t",
                "supplies",
                "1402",
                "document",
                d.id,
                "drafted",
                serde_json::json!({}),
            )],
        )
        .await
        .unwrap();
        let d = apply(d, &DocCommand::Approve {}, "t", now).unwrap();
        let mut tx = Change::on(db).await.unwrap();
        tx.save(&d).await.unwrap();
        tx.commit(
            now,
            vec![NewEntry::new(
                "t",
                "supplies",
                "1402",
                "document",
                d.id,
                "approve",
                serde_json::json!({}),
            )],
        )
        .await
        .unwrap();
        let d = Doc {
            version: d.version + 1,
            ..d
        };
        let d = apply(d, &DocCommand::Post {}, "t", now).unwrap();
        let lines = store::lines(db, d.id).await.unwrap();
        let mut tx = Change::on(db).await.unwrap();
        tx.save(&d).await.unwrap();
        match store::post(&mut tx, db.backend(), &d, &lines, UtcText(now)).await {
            Ok(_) => {}
            Err(store::PostError::Rule(e)) => return Err(e),
            Err(store::PostError::Db(e)) => panic!("{e}"),
        }
        tx.commit(
            now,
            vec![NewEntry::new(
                "t",
                "supplies",
                "1402",
                "document",
                d.id,
                "post",
                serde_json::json!({}),
            )],
        )
        .await
        .unwrap();
        Ok(d.id)
    }

    fn doc_of(kind: DocKind, w: i64, to: Option<i64>, reverses: Option<i64>) -> Doc {
        Doc {
            kind,
            warehouse_id: w,
            to_warehouse_id: to,
            reverses,
            reason: kind.reasons()[0].to_string(),
            state: DocState::Draft,
            ..doc(DocState::Draft, kind)
        }
    }

    fn line_of(l: &PlanLine, batch_no: &str, expires_on: Option<String>) -> Line {
        Line {
            id: 0,
            doc_id: 0,
            line_no: 1,
            item_id: l.item_id,
            batch_id: l.batch_id,
            batch_no: batch_no.into(),
            supplier: String::new(),
            produced_on: None,
            expires_on,
            qty: l.qty,
        }
    }

    async fn run(db: &Db, ops: &[Op]) -> Result<(), TestCaseError> {
        add_items(db).await;
        let mut l = Ledger::default();
        let mut batches: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        let mut next_batch = 1;
        let mut reversed = std::collections::BTreeSet::new();
        let mut ids: Vec<i64> = Vec::new();
        for (n, o) in ops.iter().enumerate() {
            let (model, stored) = if let Op::Receipt { w, item, qty, exp } = *o {
                let b = next_batch;
                next_batch += 1;
                l.expiry.insert(b, expiry_of(exp));
                batches.entry(item).or_default().push(b);
                let line = pl(item, None, qty);
                let m = l.post(
                    DocKind::Receipt,
                    "purchase",
                    w,
                    None,
                    &[pl(item, Some(b), qty)],
                );
                let s = post(
                    db,
                    doc_of(DocKind::Receipt, w, None, None),
                    vec![line_of(&line, &format!("B{n}"), expiry_of(exp))],
                )
                .await;
                (m, s)
            } else {
                match step(o, &batches, l.journal.len()) {
                    Step::Doc(kind, w, to, lines) => {
                        let m = l.post(kind, "", w, to, &lines);
                        let s = post(
                            db,
                            doc_of(kind, w, to, None),
                            lines.iter().map(|x| line_of(x, "", None)).collect(),
                        )
                        .await;
                        (m, s)
                    }
                    Step::Reverse(k) if reversed.insert(k) => {
                        let m = l.reverse(k);
                        let s = post(db, doc_of(DocKind::Reversal, 1, None, Some(ids[k])), vec![])
                            .await;
                        (m, s)
                    }
                    Step::Reverse(_) | Step::Skip => continue,
                }
            };
            prop_assert_eq!(
                model.is_ok(),
                stored.is_ok(),
                "step {} {:?}: model {:?}, store {:?}",
                n,
                o,
                model,
                stored
            );
            if let Ok(id) = stored {
                ids.push(id);
            }
        }
        let report = store::check(db).await.unwrap();
        prop_assert!(report.ok, "{:?}", report);
        let stored: BTreeMap<(i64, i64, i64), i64> = sqlx::query_as::<_, (i64, i64, i64, i64)>(
            "SELECT warehouse_id, item_id, batch_id, qty FROM supply_balances WHERE qty <> 0",
        )
        .fetch_all(db.pool())
        .await
        .unwrap()
        .into_iter()
        .map(|(w, i, b, q)| ((w, i, b), q))
        .collect();
        let model: BTreeMap<_, _> = l.balances.into_iter().filter(|(_, v)| *v != 0).collect();
        prop_assert_eq!(stored, model);
        Ok(())
    }

    #[test]
    fn the_store_agrees_with_the_ledger() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 6,
            ..ProptestConfig::default()
        });
        runner
            .run(&proptest::collection::vec(op(), 5..40), |ops| {
                rt.block_on(async {
                    for t in testing::all().await {
                        run(&t.db, &ops).await?;
                        t.db.close().await;
                    }
                    Ok(())
                })
            })
            .unwrap();
    }
}

#[test]
fn the_drafter_does_not_approve_when_the_rule_is_on() {
    let d = doc(DocState::Draft, DocKind::Issue); // drafted by "a"
    let approve = DocCommand::Approve {};
    let post = DocCommand::Post {};
    // (step, actor, rule on, allowed)
    for (cmd, actor, on, ok) in [
        (&approve, "a", true, false),
        (&approve, "b", true, true),
        (&approve, "a", false, true),
        (&post, "a", true, true),
        (&post, "b", true, true),
    ] {
        let got = check_approver(&d, cmd, actor, on);
        assert_eq!(got.is_ok(), ok, "{cmd:?} by {actor}, rule {on}");
        if let Err(RuleError::State(r)) = got {
            assert_eq!(r.code, "drafter_cannot_approve");
        }
    }
    assert!(SuppliesConfig::default().separate_approver, "on by default");
}
