use super::*;

fn ship(state: ShipState) -> Shipment {
    let t = UtcText(OffsetDateTime::UNIX_EPOCH);
    Shipment {
        id: 1,
        doc_id: 2,
        request_id: None,
        division: "140213000000".into(),
        to_division: "140215000000".into(),
        from_warehouse_id: 3,
        to_warehouse_id: Some(4),
        destination: "云州区库".into(),
        dest_lon: None,
        dest_lat: None,
        vehicle: String::new(),
        carrier: String::new(),
        state,
        lon: None,
        lat: None,
        position_at: None,
        departed_at: None,
        arrived_at: None,
        received_at: None,
        received_by: String::new(),
        writeoff_doc_id: None,
        note: String::new(),
        created_by: "a".into(),
        created_at: t,
        updated_at: t,
        version: 1,
    }
}

const NOW: OffsetDateTime = OffsetDateTime::UNIX_EPOCH;

#[test]
fn the_state_machine_as_a_table() {
    use ShipState::*;
    let dispatcher = Facts {
        dispatches: true,
        receives: false,
        doc_posted: true,
    };
    let receiver = Facts {
        dispatches: false,
        receives: true,
        doc_posted: true,
    };
    let unposted = Facts {
        doc_posted: false,
        ..dispatcher
    };
    let depart = ShipCommand::Depart {};
    let pos = ShipCommand::Position {
        lon: 113.3,
        lat: 40.1,
    };
    let arrive = ShipCommand::Arrive {};
    let receive = ShipCommand::Receive { lines: Vec::new() };
    let cancel = ShipCommand::Cancel {};
    // (state, step, who, Ok(new state) | Err(code))
    let table: Vec<(ShipState, &ShipCommand, Facts, Result<ShipState, &str>)> = vec![
        (Planned, &depart, dispatcher, Ok(Departed)),
        (Planned, &depart, unposted, Err("document_not_posted")),
        (Planned, &depart, receiver, Err("shipment_by_dispatcher")),
        (Planned, &pos, dispatcher, Err("shipment_step_not_allowed")),
        (
            Planned,
            &arrive,
            dispatcher,
            Err("shipment_step_not_allowed"),
        ),
        (
            Planned,
            &receive,
            receiver,
            Err("shipment_step_not_allowed"),
        ),
        (Planned, &cancel, dispatcher, Ok(Cancelled)),
        (Planned, &cancel, receiver, Err("shipment_by_dispatcher")),
        (
            Departed,
            &depart,
            dispatcher,
            Err("shipment_step_not_allowed"),
        ),
        (Departed, &pos, dispatcher, Ok(Departed)),
        (Departed, &pos, receiver, Err("shipment_by_dispatcher")),
        (Departed, &arrive, dispatcher, Ok(Arrived)),
        (Departed, &arrive, receiver, Ok(Arrived)),
        (
            Departed,
            &arrive,
            Facts::default(),
            Err("shipment_by_dispatcher"),
        ),
        (
            Departed,
            &receive,
            receiver,
            Err("shipment_step_not_allowed"),
        ),
        (
            Departed,
            &cancel,
            dispatcher,
            Err("shipment_step_not_allowed"),
        ),
        (Arrived, &receive, receiver, Ok(Received)),
        (Arrived, &receive, dispatcher, Err("receipt_by_destination")),
        (Arrived, &pos, dispatcher, Err("shipment_step_not_allowed")),
        (
            Arrived,
            &cancel,
            dispatcher,
            Err("shipment_step_not_allowed"),
        ),
        (
            Received,
            &receive,
            receiver,
            Err("shipment_step_not_allowed"),
        ),
        (
            Received,
            &arrive,
            receiver,
            Err("shipment_step_not_allowed"),
        ),
        (
            Cancelled,
            &depart,
            dispatcher,
            Err("shipment_step_not_allowed"),
        ),
    ];
    for (state, cmd, facts, want) in table {
        let got = apply(ship(state), cmd, facts, "u", NOW);
        match (got, want) {
            (Ok(s), Ok(w)) => assert_eq!(s.state, w, "{state:?} {cmd:?}"),
            (Err(RuleError::State(r)), Err(code)) => {
                assert_eq!(r.code, code, "{state:?} {cmd:?}")
            }
            (got, want) => panic!("{state:?} {cmd:?}: {got:?} ≠ {want:?}"),
        }
    }
}

#[test]
fn each_step_records_its_time_and_who_received() {
    let f = Facts {
        dispatches: true,
        receives: true,
        doc_posted: true,
    };
    let at = NOW + time::Duration::hours(1);
    let s = apply(
        ship(ShipState::Planned),
        &ShipCommand::Depart {},
        f,
        "a",
        at,
    )
    .unwrap();
    assert_eq!(s.departed_at, Some(UtcText(at)));
    let s = apply(
        s,
        &ShipCommand::Position {
            lon: 113.5,
            lat: 40.0,
        },
        f,
        "a",
        at,
    )
    .unwrap();
    assert_eq!(
        (s.lon, s.lat, s.position_at),
        (Some(113.5), Some(40.0), Some(UtcText(at)))
    );
    let s = apply(s, &ShipCommand::Arrive {}, f, "a", at).unwrap();
    assert_eq!(s.arrived_at, Some(UtcText(at)));
    let s = apply(s, &ShipCommand::Receive { lines: vec![] }, f, "b", at).unwrap();
    assert_eq!(
        (s.received_by.as_str(), s.received_at),
        ("b", Some(UtcText(at)))
    );
}

#[test]
fn allowed_events_follow_the_rules() {
    let f = Facts {
        dispatches: true,
        receives: false,
        doc_posted: false,
    };
    assert_eq!(allowed_events(&ship(ShipState::Planned), f), vec!["cancel"]);
    let f = Facts {
        doc_posted: true,
        ..f
    };
    assert_eq!(
        allowed_events(&ship(ShipState::Planned), f),
        vec!["depart", "cancel"]
    );
    assert_eq!(
        allowed_events(&ship(ShipState::Departed), f),
        vec!["position", "arrive"]
    );
    let r = Facts {
        dispatches: false,
        receives: true,
        doc_posted: true,
    };
    assert_eq!(
        allowed_events(&ship(ShipState::Arrived), r),
        vec!["receive"]
    );
    assert!(allowed_events(&ship(ShipState::Received), r).is_empty());
}

fn line(item: i64, sent: i64) -> ShipLine {
    ShipLine {
        id: 0,
        shipment_id: 1,
        item_id: item,
        sent,
        received: None,
        reason: String::new(),
        note: String::new(),
    }
}

fn got(item: i64, received: i64, reason: &str) -> Received {
    Received {
        item_id: item,
        received,
        reason: reason.into(),
        note: String::new(),
    }
}

fn codes(e: Vec<FieldError>) -> Vec<(String, String)> {
    e.into_iter()
        .map(|f| (f.field.clone(), f.code.to_string()))
        .collect()
}

#[test]
fn a_receipt_counts_every_item_and_explains_each_shortfall() {
    let sent = vec![line(10, 50), line(11, 5)];
    let ok = check_receipt(&sent, &[got(11, 5, ""), got(10, 47, "damaged")]).unwrap();
    assert_eq!(
        ok.iter()
            .map(|l| (l.item_id, l.received, l.reason.as_str()))
            .collect::<Vec<_>>(),
        vec![(10, Some(47), "damaged"), (11, Some(5), "")]
    );
    type Case = (Vec<Received>, Vec<(&'static str, &'static str)>);
    let cases: Vec<Case> = vec![
        (
            vec![got(10, 51, ""), got(11, 5, "")],
            vec![("lines[0].received", "received_over_sent")],
        ),
        (
            vec![got(10, -1, "lost"), got(11, 5, "")],
            vec![("lines[0].received", "received_over_sent")],
        ),
        (
            vec![got(10, 40, ""), got(11, 5, "")],
            vec![("lines[0].reason", "required")],
        ),
        (
            vec![got(10, 40, "stolen"), got(11, 5, "")],
            vec![("lines[0].reason", "required")],
        ),
        (
            vec![got(10, 50, "lost"), got(11, 5, "")],
            vec![("lines[0].reason", "no_difference")],
        ),
        (vec![got(10, 50, "")], vec![("lines", "item_not_counted")]),
        (
            vec![got(10, 50, ""), got(11, 5, ""), got(12, 1, "")],
            vec![("lines[2].item_id", "not_in_shipment")],
        ),
        (
            vec![got(10, 50, ""), got(10, 50, ""), got(11, 5, "")],
            vec![("lines[1].item_id", "duplicate_row")],
        ),
    ];
    for (input, want) in cases {
        let e = check_receipt(&sent, &input).expect_err("refused");
        let want: Vec<(String, String)> = want
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(codes(e), want, "{input:?}");
    }
}

#[test]
fn the_writeoff_takes_each_shortfall_from_the_batches_booked_in() {
    let mut a = line(10, 50);
    a.received = Some(38);
    a.reason = "damaged".into();
    let mut b = line(11, 5);
    b.received = Some(5);
    // Item 10 came in two batches (7: 10, 8: 40); 12 short.
    let into = vec![(10, 7, 10), (10, 8, 40), (11, 9, 5)];
    assert_eq!(
        writeoff_picks(&[a.clone(), b.clone()], &into),
        vec![(10, 7, 10), (10, 8, 2)]
    );
    assert_eq!(writeoff_reason(&[a.clone(), b.clone()]), "damaged");
    b.received = Some(4);
    b.reason = "lost".into();
    assert_eq!(writeoff_reason(&[a, b.clone()]), "other");
    b.received = Some(5);
    assert!(writeoff_picks(&[b], &into).is_empty());
}

#[test]
fn positions_are_wgs84_points() {
    assert!(check_position(113.3, 40.1).is_ok());
    assert!(
        matches!(check_position(113.3, 95.0), Err(RuleError::Field(f)) if f.code == "bad_point")
    );
}

#[test]
fn new_shipments_check_their_text() {
    let b = NewShipment {
        doc_id: 1,
        vehicle: " 晋B12345 ".into(),
        carrier: String::new(),
        note: String::new(),
    };
    assert_eq!(check_new(&b).unwrap().0, "晋B12345");
    let long = NewShipment {
        vehicle: "x".repeat(21),
        ..b
    };
    assert_eq!(codes(check_new(&long).unwrap_err())[0].0, "vehicle");
}

#[test]
fn only_approved_or_posted_issues_and_transfers_without_a_shipment_ship() {
    use crate::supplies::{DocKind as K, DocState as S};
    let refused = |k, s, has| match check_shippable(k, s, has) {
        Ok(()) => None,
        Err(RuleError::State(r)) => Some(r.code),
        Err(e) => panic!("{e:?}"),
    };
    let table: &[(K, S, bool, Option<&str>)] = &[
        (K::Issue, S::Approved, false, None),
        (K::Issue, S::Posted, false, None),
        (K::Transfer, S::Approved, false, None),
        (K::Transfer, S::Posted, false, None),
        (
            K::Issue,
            S::Draft,
            false,
            Some("shipment_doc_not_shippable"),
        ),
        (
            K::Transfer,
            S::Draft,
            false,
            Some("shipment_doc_not_shippable"),
        ),
        (
            K::Receipt,
            S::Posted,
            false,
            Some("shipment_doc_not_shippable"),
        ),
        (
            K::Reversal,
            S::Posted,
            false,
            Some("shipment_doc_not_shippable"),
        ),
        (
            K::Writeoff,
            S::Posted,
            false,
            Some("shipment_doc_not_shippable"),
        ),
        (
            K::Count,
            S::Posted,
            false,
            Some("shipment_doc_not_shippable"),
        ),
        (K::Issue, S::Posted, true, Some("shipment_exists")),
    ];
    for (k, s, has, want) in table {
        assert_eq!(refused(*k, *s, *has), *want, "{k:?} {s:?} {has}");
    }
}
