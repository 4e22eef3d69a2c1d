//! Requests' rules as tables: checking a new request, the proposed
//! allocation (nearest first, reserves kept, expired batches left, split,
//! unmet), the state machine and accepting a proposal that changed.

use super::*;
use crate::supplies::{Held, Stock};
use time::macros::{date, datetime};

const NOW: OffsetDateTime = datetime!(2026-12-07 08:00 UTC);
const TODAY: Date = date!(2026 - 12 - 07);

fn held(batch_id: i64, expires_on: Option<&str>, qty: i64) -> Held {
    Held {
        batch_id,
        expires_on: expires_on.map(str::to_string),
        qty,
    }
}

fn cand(w: i64, t: Option<f64>) -> Candidate {
    Candidate {
        warehouse_id: w,
        time_s: t,
        method: Method::Road,
    }
}

/// (warehouse, item, batch, qty) of each part.
fn parts(p: &Proposal) -> Vec<(i64, i64, i64, i64)> {
    p.parts
        .iter()
        .map(|x| (x.warehouse_id, x.item_id, x.batch_id, x.qty))
        .collect()
}

#[test]
fn allocation_is_nearest_first_within_reserves_and_says_what_is_unmet() {
    // Warehouses 1 (30 min), 2 (10 min), 3 (no road), 4 (20 min).
    // Item 100: w1 60, w2 40 (reserve 10), w3 500, w4 25 of which 20 expired.
    // Item 200: w1 5 only.
    let mut stock: Stock = BTreeMap::new();
    stock.insert((1, 100), vec![held(11, None, 60)]);
    stock.insert((2, 100), vec![held(21, Some("2027-01-01"), 40)]);
    stock.insert((3, 100), vec![held(31, None, 500)]);
    stock.insert(
        (4, 100),
        vec![
            held(41, Some("2026-12-06"), 20),
            held(42, Some("2026-12-07"), 5),
        ],
    );
    stock.insert((1, 200), vec![held(12, None, 5)]);
    let mut reserve = BTreeMap::new();
    reserve.insert((2, 100), 10);
    let cands = [
        cand(1, Some(1800.0)),
        cand(2, Some(600.0)),
        cand(3, None),
        cand(4, Some(1200.0)),
    ];
    // (lines (item, qty), parts (warehouse, item, batch, qty), unmet (item, qty))
    type Row = (Vec<(i64, i64)>, Vec<(i64, i64, i64, i64)>, Vec<(i64, i64)>);
    let table: Vec<Row> = vec![
        // One warehouse is enough: the nearest, above its reserve.
        (vec![(100, 30)], vec![(2, 100, 21, 30)], vec![]),
        // Its reserve stays: 30 from w2, then the expired batch of w4 is
        // left (5 usable), then w1.
        (
            vec![(100, 50)],
            vec![(2, 100, 21, 30), (4, 100, 42, 5), (1, 100, 11, 15)],
            vec![],
        ),
        // More than all reachable usable stock: w3 has no road; unmet.
        (
            vec![(100, 120), (200, 8)],
            vec![
                (2, 100, 21, 30),
                (4, 100, 42, 5),
                (1, 100, 11, 60),
                (1, 200, 12, 5),
            ],
            vec![(100, 25), (200, 3)],
        ),
        // An item nobody holds.
        (vec![(300, 1)], vec![], vec![(300, 1)]),
    ];
    for (lines, want, unmet) in table {
        let p = propose(&lines, &cands, &stock, &reserve, TODAY);
        assert_eq!(parts(&p), want, "{lines:?}");
        let got: Vec<(i64, i64)> = p.unmet.iter().map(|u| (u.item_id, u.qty)).collect();
        assert_eq!(got, unmet, "{lines:?}");
        // Never more than asked, never below a reserve.
        for (item, qty) in &lines {
            let sent: i64 = p
                .parts
                .iter()
                .filter(|x| x.item_id == *item)
                .map(|x| x.qty)
                .sum();
            let short: i64 = p
                .unmet
                .iter()
                .filter(|u| u.item_id == *item)
                .map(|u| u.qty)
                .sum();
            assert_eq!(sent + short, *qty);
        }
        let from_w2: i64 = p
            .parts
            .iter()
            .filter(|x| x.warehouse_id == 2)
            .map(|x| x.qty)
            .sum();
        assert!(40 - from_w2 >= 10, "w2 keeps its reserve");
    }
}

#[test]
fn ties_go_to_the_lower_warehouse_and_time_orders_the_parts() {
    let mut stock: Stock = BTreeMap::new();
    for w in [5, 3, 9] {
        stock.insert((w, 1), vec![held(w * 10, None, 4)]);
    }
    let cands = [
        cand(5, Some(100.0)),
        cand(3, Some(100.0)),
        cand(9, Some(50.0)),
    ];
    let p = propose(&[(1, 10)], &cands, &stock, &BTreeMap::new(), TODAY);
    assert_eq!(parts(&p), vec![(9, 1, 90, 4), (3, 1, 30, 4), (5, 1, 50, 2)]);
    let times: Vec<f64> = p.parts.iter().map(|x| x.time_s).collect();
    assert_eq!(times, vec![50.0, 100.0, 100.0]);
    assert_eq!(
        p.totals(),
        BTreeMap::from([((3, 1), 4), ((5, 1), 2), ((9, 1), 4)])
    );
}

fn new(lines: Vec<(i64, i64)>, needed_by: &str) -> NewRequest {
    NewRequest {
        source: Source::County,
        incident_id: None,
        shelter_id: None,
        division: None,
        place_kind: PlaceKind::Point,
        place_id: None,
        place_division: None,
        lat: Some(40.08),
        lon: Some(113.3),
        needed_by: needed_by.into(),
        note: String::new(),
        lines: lines
            .into_iter()
            .map(|(item_id, qty)| LineInput { item_id, qty })
            .collect(),
    }
}

fn fields(r: Result<Checked, Vec<FieldError>>) -> Vec<String> {
    r.err()
        .unwrap_or_default()
        .into_iter()
        .map(|e| e.field)
        .collect()
}

#[test]
fn a_new_request_names_each_wrong_field() {
    let items: std::collections::BTreeSet<i64> = [1, 2].into();
    let later = "2026-12-08T08:00:00Z";
    let ok = check_request(&new(vec![(1, 5), (2, 1)], later), &items, NOW).unwrap();
    assert_eq!(ok.point, Some([113.3, 40.08]));
    assert_eq!(ok.needed_by, datetime!(2026-12-08 08:00 UTC));
    // (request, fields named)
    let mut incident = new(vec![(1, 1)], later);
    incident.source = Source::Incident;
    let mut shelter_place = new(vec![(1, 1)], later);
    shelter_place.place_kind = PlaceKind::Shelter;
    let mut no_point = new(vec![(1, 1)], later);
    no_point.lat = None;
    no_point.lon = None;
    let mut half = new(vec![(1, 1)], later);
    half.lon = None;
    let mut far = new(vec![(1, 1)], later);
    far.lat = Some(91.0);
    let mut division = new(vec![(1, 1)], later);
    division.place_kind = PlaceKind::Division;
    for (b, want) in [
        (new(vec![], later), vec!["lines"]),
        (
            new(vec![(1, 0), (9, 1), (1, 2)], later),
            vec!["lines[0].qty", "lines[1].item_id", "lines[2].item_id"],
        ),
        (new(vec![(1, 1)], "tomorrow"), vec!["needed_by"]),
        (new(vec![(1, 1)], "2026-12-07T07:59:00Z"), vec!["needed_by"]),
        (incident, vec!["incident_id"]),
        (shelter_place, vec!["place_id"]),
        (no_point, vec!["lat"]),
        (half, vec!["lon"]),
        (far, vec!["lat"]),
        (division, vec!["place_division"]),
    ] {
        assert_eq!(fields(check_request(&b, &items, NOW)), want, "{b:?}");
    }
}

fn request(state: ReqState) -> Request {
    let t = UtcText(NOW);
    Request {
        id: 3,
        division: "140213".into(),
        source: Source::County,
        incident_id: None,
        shelter_id: None,
        place_kind: PlaceKind::Point,
        place_id: None,
        place_division: String::new(),
        place_name: String::new(),
        lon: 113.3,
        lat: 40.08,
        needed_by: t,
        state,
        note: String::new(),
        created_by: "pingcheng".into(),
        created_at: t,
        submitted_at: None,
        allocated_by: String::new(),
        allocated_at: None,
        closed_at: None,
        updated_at: t,
        version: 1,
    }
}

fn code(r: Result<Request, RuleError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(RuleError::State(r) | RuleError::Forbidden(r)) => r.code,
        Err(RuleError::Field(_)) => "field",
    }
}

#[test]
fn requests_are_submitted_allocated_by_the_city_and_fulfilled_when_posted() {
    use ReqState::*;
    let county = Facts::default();
    let city = Facts {
        allocates: true,
        ..Facts::default()
    };
    let drafted_docs = |posted| Facts {
        allocates: true,
        docs: 2,
        posted,
    };
    let submit = ReqCommand::Submit {};
    let accept = ReqCommand::Accept { lines: Vec::new() };
    let fulfil = ReqCommand::Fulfil {};
    let cancel = ReqCommand::Cancel {};
    // (state, step, facts, outcome, state after)
    for (from, cmd, f, want, to) in [
        (Drafted, &submit, county, "ok", Some(Submitted)),
        (
            Submitted,
            &submit,
            county,
            "supply_request_step_not_allowed",
            None,
        ),
        (
            Drafted,
            &accept,
            city,
            "supply_request_step_not_allowed",
            None,
        ),
        (Submitted, &accept, county, "allocation_by_city", None),
        (Submitted, &accept, city, "ok", Some(Allocated)),
        (
            Allocated,
            &fulfil,
            drafted_docs(1),
            "documents_not_posted",
            None,
        ),
        (Allocated, &fulfil, county, "documents_not_posted", None),
        (Allocated, &fulfil, drafted_docs(2), "ok", Some(Fulfilled)),
        (
            Submitted,
            &fulfil,
            drafted_docs(2),
            "supply_request_step_not_allowed",
            None,
        ),
        (Drafted, &cancel, county, "ok", Some(Cancelled)),
        (Submitted, &cancel, county, "ok", Some(Cancelled)),
        (Allocated, &cancel, county, "allocation_by_city", None),
        (
            Allocated,
            &cancel,
            drafted_docs(1),
            "documents_posted",
            None,
        ),
        (Allocated, &cancel, drafted_docs(0), "ok", Some(Cancelled)),
        (
            Fulfilled,
            &cancel,
            city,
            "supply_request_step_not_allowed",
            None,
        ),
        (
            Cancelled,
            &submit,
            city,
            "supply_request_step_not_allowed",
            None,
        ),
    ] {
        let got = apply(request(from), cmd, f, "commander", NOW);
        assert_eq!(
            got.as_ref().ok().map(|r| r.state),
            to,
            "{from:?} {cmd:?} {f:?}"
        );
        assert_eq!(code(got), want, "{from:?} {cmd:?} {f:?}");
    }
    let r = apply(request(Submitted), &accept, city, "commander", NOW).unwrap();
    assert_eq!(
        (r.allocated_by.as_str(), r.allocated_at),
        ("commander", Some(UtcText(NOW)))
    );
    assert_eq!(
        allowed_events(&request(Drafted), county),
        vec!["submit", "cancel"]
    );
    assert_eq!(allowed_events(&request(Submitted), county), vec!["cancel"]);
    assert_eq!(
        allowed_events(&request(Submitted), city),
        vec!["accept", "cancel"]
    );
    assert_eq!(
        allowed_events(&request(Allocated), drafted_docs(2)),
        vec!["fulfil"]
    );
    assert!(allowed_events(&request(Fulfilled), city).is_empty());
}

#[test]
fn accepting_needs_the_proposal_as_it_is_now() {
    let p = Proposal {
        parts: vec![
            Part {
                warehouse_id: 1,
                item_id: 7,
                batch_id: 70,
                qty: 3,
                time_s: 60.0,
                method: Method::Road,
            },
            Part {
                warehouse_id: 1,
                item_id: 7,
                batch_id: 71,
                qty: 2,
                time_s: 60.0,
                method: Method::Road,
            },
        ],
        unmet: vec![],
    };
    let a = |qty| Accepted {
        warehouse_id: 1,
        item_id: 7,
        qty,
    };
    let c = |r: Result<(), RuleError>| match r {
        Ok(()) => "ok",
        Err(RuleError::State(r)) => r.code,
        Err(_) => "field",
    };
    assert_eq!(c(check_accepted(&[a(5)], &p)), "ok");
    assert_eq!(c(check_accepted(&[a(3), a(2)], &p)), "ok");
    assert_eq!(c(check_accepted(&[a(4)], &p)), "proposal_changed");
    assert_eq!(c(check_accepted(&[], &p)), "proposal_changed");
    assert_eq!(
        c(check_accepted(&[], &Proposal::default())),
        "nothing_to_allocate"
    );
}
