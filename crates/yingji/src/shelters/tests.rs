use super::*;
use crate::db::UtcText;
use time::OffsetDateTime;

fn hh(name: &str, last4: &str, members: i64) -> NewHousehold {
    NewHousehold {
        head_name: name.into(),
        id_last4: last4.into(),
        phone: String::new(),
        members,
        origin_village: "西韩岭村".into(),
        special_needs: String::new(),
    }
}

fn codes(r: Result<NewHousehold, Vec<FieldError>>) -> Vec<(String, &'static str)> {
    r.err()
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect()
}

#[test]
fn only_the_last_four_of_an_id_number_are_taken() {
    let ok = check_household(&hh(" 张伟 ", "123x", 3)).unwrap();
    assert_eq!(
        (ok.head_name.as_str(), ok.id_last4.as_str()),
        ("张伟", "123X")
    );
    let cases: Vec<(NewHousehold, Vec<(&str, &str)>)> = vec![
        (
            hh("张伟", "14020219800101123X", 3),
            vec![("id_last4", "id_last4_only")],
        ),
        (hh("张伟", "12345", 3), vec![("id_last4", "id_last4_only")]),
        (hh("张伟", "123", 3), vec![("id_last4", "bad_id_last4")]),
        (hh("张伟", "X123", 3), vec![("id_last4", "bad_id_last4")]),
        (hh("张伟", "12a4", 3), vec![("id_last4", "bad_id_last4")]),
        (
            hh("", "1234", 0),
            vec![("head_name", "required"), ("members", "out_of_range")],
        ),
        (
            hh("张伟", "1234", MAX_MEMBERS + 1),
            vec![("members", "out_of_range")],
        ),
        (
            NewHousehold {
                phone: "not a phone".into(),
                ..hh("张伟", "1234", 2)
            },
            vec![("phone", "bad_phone")],
        ),
    ];
    for (input, want) in cases {
        let want: Vec<(String, &str)> = want.into_iter().map(|(f, c)| (f.to_string(), c)).collect();
        assert_eq!(codes(check_household(&input)), want, "{input:?}");
    }
}

#[test]
fn occupancy_and_the_per_person_area_of_gb_21734() {
    let min = SheltersConfig::default().min_area_per_person_m2;
    assert_eq!(min, 1.5);
    // 3000 m², capacity 1500, serving 2500 people: 1.2 m² each — short.
    let size = Size {
        area_m2: 3000.0,
        capacity: Some(1500),
        served_population: Some(2500),
    };
    let o = occupancy(size, 4, 10, min);
    assert_eq!(
        (o.capacity, o.occupants, o.households, o.free),
        (1500, 10, 4, 1490)
    );
    assert_eq!(o.served_area_per_person, Some(1.2));
    assert!(o.served_short);
    assert!(!o.capacity_short, "2.0 m² per place");
    assert_eq!(o.occupied_area_per_person, Some(300.0));
    assert!(!o.occupied_short);
    // No capacity stated: the area at 1.5 m² (floor); empty.
    let o = occupancy(
        Size {
            area_m2: 100.0,
            capacity: None,
            served_population: None,
        },
        0,
        0,
        min,
    );
    assert_eq!(
        (
            o.capacity,
            o.free,
            o.served_area_per_person,
            o.occupied_area_per_person
        ),
        (66, 66, None, None)
    );
    assert!(!o.served_short && !o.capacity_short && !o.occupied_short);
    // A stated capacity beyond the area; over-full: free stays 0.
    let o = occupancy(
        Size {
            area_m2: 100.0,
            capacity: Some(80),
            served_population: Some(60),
        },
        30,
        90,
        min,
    );
    assert!(o.capacity_short && o.occupied_short && !o.served_short);
    assert_eq!(o.free, 0);
    // Exactly 1.5 m² is not short (“应大于” is read as the least allowed).
    let o = occupancy(
        Size {
            area_m2: 150.0,
            capacity: Some(100),
            served_population: Some(100),
        },
        0,
        0,
        min,
    );
    assert!(!o.served_short && !o.capacity_short);
}

fn opening() -> Opening {
    let t = UtcText(OffsetDateTime::UNIX_EPOCH);
    Opening {
        id: 7,
        shelter_id: 1,
        division: "140213000000".into(),
        incident_id: None,
        opened_at: t,
        opened_by: "a".into(),
        closed_at: None,
        closed_by: String::new(),
        note: String::new(),
        version: 1,
    }
}

fn code<T: std::fmt::Debug>(r: Result<T, RuleError>) -> &'static str {
    match r {
        Err(RuleError::State(x)) => x.code,
        other => panic!("{other:?}"),
    }
}

#[test]
fn open_close_and_registration_as_a_table() {
    let o = opening();
    assert!(check_open(None).is_ok());
    assert_eq!(code(check_open(Some(&o))), "shelter_already_open");
    assert_eq!(code(check_close(None, 0)), "shelter_not_open");
    assert_eq!(code(check_close(Some(&o), 2)), "households_still_in");
    assert!(check_close(Some(&o), 0).is_ok());
    let occ = occupancy(
        Size {
            area_m2: 30.0,
            capacity: Some(10),
            served_population: None,
        },
        2,
        7,
        1.5,
    );
    assert!(check_in(Some(&o), &occ, 3).is_ok());
    assert_eq!(code(check_in(Some(&o), &occ, 4)), "shelter_full");
    assert_eq!(code(check_in(None, &occ, 1)), "shelter_not_open");
    let t = UtcText(OffsetDateTime::UNIX_EPOCH);
    let mut h = Household {
        id: 1,
        opening_id: 7,
        shelter_id: 1,
        division: "140213000000".into(),
        head_name: "张伟".into(),
        id_last4: "1234".into(),
        phone: String::new(),
        members: 3,
        origin_village: String::new(),
        special_needs: String::new(),
        checked_in_at: t,
        checked_in_by: "a".into(),
        checked_out_at: None,
        checked_out_by: String::new(),
        version: 1,
    };
    assert!(check_out(&h).is_ok());
    h.checked_out_at = Some(t);
    assert_eq!(code(check_out(&h)), "already_checked_out");
}
