use super::*;
use crate::db::UtcText;
use crate::supplies::DocState;

fn hh(name: &str, last4: &str, items: &[(i64, i64)]) -> NewRecipient {
    NewRecipient {
        household_id: None,
        head_name: name.into(),
        id_last4: last4.into(),
        members: 3,
        items: items
            .iter()
            .map(|&(item_id, qty)| Qty { item_id, qty })
            .collect(),
    }
}

fn list(households: Vec<NewRecipient>) -> NewDistribution {
    NewDistribution {
        warehouse_id: 1,
        incident_id: None,
        shelter_id: None,
        place: "村委会".into(),
        note: String::new(),
        households,
    }
}

fn known(id: i64) -> bool {
    [10, 20].contains(&id)
}

#[test]
fn a_list_sums_to_the_documents_lines() {
    let registered = Registered::from([(7, ("王芳".to_string(), "123X".to_string(), 4))]);
    let mut from_shelter = hh("", "", &[(20, 2)]);
    from_shelter.household_id = Some(7);
    let (hs, totals) = check(
        &list(vec![
            hh("张伟", "5678", &[(10, 1), (20, 2)]),
            from_shelter,
            hh("李娜", "0001", &[(20, 1)]),
        ]),
        &known,
        &registered,
    )
    .unwrap();
    assert_eq!(totals, BTreeMap::from([(10, 1), (20, 5)]));
    assert_eq!(
        hs.iter()
            .map(|h| (h.head_name.as_str(), h.id_last4.as_str(), h.members))
            .collect::<Vec<_>>(),
        vec![
            ("张伟", "5678", 3),
            ("王芳", "123X", 4),
            ("李娜", "0001", 3)
        ]
    );
}

#[test]
fn every_wrong_field_of_a_list_is_named() {
    let registered = Registered::new();
    let mut stranger = hh("", "", &[(10, 1)]);
    stranger.household_id = Some(99);
    type Case = (Vec<NewRecipient>, Vec<(&'static str, &'static str)>);
    let cases: Vec<Case> = vec![
        (vec![], vec![("households", "required")]),
        (
            vec![hh("张伟", "110101199001011234", &[(10, 1)])],
            vec![("households[0].id_last4", "id_last4_only")],
        ),
        (
            vec![hh(" ", "12a4", &[])],
            vec![
                ("households[0].head_name", "required"),
                ("households[0].id_last4", "bad_id_last4"),
                ("households[0].items", "required"),
            ],
        ),
        (
            vec![hh(
                "张伟",
                "1234",
                &[(30, 1), (10, 0), (10, 2), (20, 1), (20, 1)],
            )],
            vec![
                ("households[0].items[0].item_id", "supply_item_not_found"),
                ("households[0].items[1].qty", "out_of_range"),
                ("households[0].items[2].item_id", "duplicate_row"),
                ("households[0].items[4].item_id", "duplicate_row"),
            ],
        ),
        (
            vec![
                hh("张伟", "1234", &[(10, 1)]),
                hh("张伟", "1234", &[(10, 1)]),
            ],
            vec![("households[1].head_name", "duplicate_row")],
        ),
        (
            vec![stranger],
            vec![("households[0].household_id", "household_not_found")],
        ),
    ];
    for (households, want) in cases {
        let got = check(&list(households), &known, &registered).unwrap_err();
        let got: Vec<(&str, &str)> = got.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(got, want);
    }
}

#[test]
fn a_household_signs_once_after_the_posting() {
    let r = |signed: bool| Recipient {
        id: 1,
        doc_id: 1,
        row_no: 1,
        household_id: None,
        head_name: "张伟".into(),
        id_last4: "1234".into(),
        members: 1,
        signed_at: signed.then_some(UtcText(time::OffsetDateTime::UNIX_EPOCH)),
        signed_by: String::new(),
        version: 1,
    };
    let code = |res: Result<(), RuleError>| match res {
        Ok(()) => "ok",
        Err(RuleError::State(r)) => r.code,
        Err(_) => "other",
    };
    let cases = [
        (DocState::Draft, false, "distribution_not_posted"),
        (DocState::Approved, false, "distribution_not_posted"),
        (DocState::Posted, false, "ok"),
        (DocState::Posted, true, "already_signed"),
    ];
    for (state, signed, want) in cases {
        assert_eq!(
            code(check_sign(state, &r(signed))),
            want,
            "{state:?} {signed}"
        );
    }
}
