use super::*;
use time::macros::date;

struct World {
    ws: Vec<Warehouse>,
    items: HashMap<String, ItemFact>,
    batches: HashMap<(i64, String), KnownBatch>,
    held: HashMap<(i64, i64), Vec<i64>>,
}

fn world() -> World {
    let ws = vec![
        Warehouse {
            id: 1,
            name: "平城库".into(),
        },
        Warehouse {
            id: 2,
            name: "云冈库".into(),
        },
        Warehouse {
            id: 3,
            name: "云冈库".into(),
        },
    ];
    let items = HashMap::from([
        (
            "1010101".to_string(),
            ItemFact {
                id: 10,
                shelf_life_days: None,
            },
        ),
        (
            "1020101".to_string(),
            ItemFact {
                id: 20,
                shelf_life_days: Some(365),
            },
        ),
    ]);
    let batches = HashMap::from([
        (
            (10, "T1".to_string()),
            KnownBatch {
                id: 100,
                expires_on: None,
            },
        ),
        (
            (20, "Q1".to_string()),
            KnownBatch {
                id: 200,
                expires_on: Some("2027-01-01".into()),
            },
        ),
        (
            (20, "Q2".to_string()),
            KnownBatch {
                id: 201,
                expires_on: None,
            },
        ),
    ]);
    let held = HashMap::from([((1, 10), vec![100]), ((1, 20), vec![200, 201])]);
    World {
        ws,
        items,
        batches,
        held,
    }
}

type Problem = (Option<u32>, String, &'static str);

const HEAD: [&str; 7] = [
    "仓库",
    "物资代码",
    "批次",
    "数量",
    "供货单位",
    "生产日期",
    "有效期至",
];

fn run(
    w: &World,
    header: &[&str],
    rows: &[&[&str]],
) -> Result<BTreeMap<i64, Vec<CountLine>>, Vec<Problem>> {
    let facts = Facts {
        warehouses: &w.ws,
        items: &w.items,
        batches: &w.batches,
        held: &w.held,
        today: date!(2026 - 12 - 07),
    };
    let rows: Vec<(usize, Vec<String>)> = rows
        .iter()
        .enumerate()
        .map(|(n, r)| (n + 2, r.iter().map(|c| c.to_string()).collect()))
        .collect();
    read(header, &rows, &facts)
        .map_err(|es| es.into_iter().map(|e| (e.row, e.field, e.code)).collect())
}

fn new(no: &str, expires: Option<&str>) -> CountBatch {
    CountBatch::New {
        batch_no: no.into(),
        supplier: String::new(),
        produced_on: None,
        expires_on: expires.map(String::from),
    }
}

#[test]
fn rows_become_counted_lines_per_warehouse() {
    let w = world();
    let got = run(
        &w,
        &HEAD,
        &[
            &["平城库", "1010101", "", "7", "", "", ""], // the one batch held
            &["平城库", "1020101", "Q1", "3", "", "", "2027-01-01"], // a known batch
            &["1", "1020101", "Q9", "5", "", "", ""],    // by id, a new batch
            &["2", "1010101", "", "4", "", "", ""],      // nothing held: a batch named by the day
            &["2", "1010101", "T1", "0", "", "", ""],    // counted empty
        ],
    )
    .unwrap();
    assert_eq!(
        got[&1],
        vec![
            CountLine {
                row: 2,
                item_id: 10,
                batch: CountBatch::Existing(100),
                qty: 7
            },
            CountLine {
                row: 3,
                item_id: 20,
                batch: CountBatch::Existing(200),
                qty: 3
            },
            CountLine {
                row: 4,
                item_id: 20,
                batch: new("Q9", None),
                qty: 5
            },
        ]
    );
    assert_eq!(
        got[&2],
        vec![
            CountLine {
                row: 5,
                item_id: 10,
                batch: new("盘点20261207", None),
                qty: 4
            },
            CountLine {
                row: 6,
                item_id: 10,
                batch: CountBatch::Existing(100),
                qty: 0
            },
        ]
    );
    // A new batch's expiry from the item's shelf life.
    let got = run(
        &w,
        &HEAD,
        &[&["平城库", "1020101", "Q8", "1", "纺织厂", "2026-01-01", ""]],
    )
    .unwrap();
    assert_eq!(
        got[&1][0].batch,
        CountBatch::New {
            batch_no: "Q8".into(),
            supplier: "纺织厂".into(),
            produced_on: Some("2026-01-01".into()),
            expires_on: Some("2027-01-01".into())
        }
    );
    // The stock export's own columns read back.
    let export = [
        "仓库",
        "物资代码",
        "物资名称",
        "单位",
        "批次",
        "供货单位",
        "生产日期",
        "有效期至",
        "数量",
        "可申请调用",
    ];
    let got = run(
        &w,
        &export,
        &[&["平城库", "1010101", "帐篷", "顶", "T1", "", "", "", "9", ""]],
    )
    .unwrap();
    assert_eq!(got[&1][0].qty, 9);
}

#[test]
fn every_wrong_cell_is_named_by_row_and_column() {
    let w = world();
    type Case = (
        Vec<&'static str>,
        Vec<Vec<&'static str>>,
        Vec<(Option<u32>, &'static str, &'static str)>,
    );
    let cases: Vec<Case> = vec![
        (
            vec!["仓库", "数量", "颜色"],
            vec![],
            vec![
                (Some(1), "颜色", "unknown_column"),
                (Some(1), "item_code", "missing_column"),
            ],
        ),
        (HEAD.to_vec(), vec![], vec![(None, "file", "no_rows")]),
        (
            HEAD.to_vec(),
            vec![vec!["", "", "", "x", "", "", ""]],
            vec![
                (Some(2), "warehouse", "required"),
                (Some(2), "item_code", "required"),
                (Some(2), "qty", "out_of_range"),
            ],
        ),
        (
            HEAD.to_vec(),
            vec![vec!["别人的库", "9999999", "", "-1", "", "2026-13-01", ""]],
            vec![
                (Some(2), "warehouse", "warehouse_not_found"),
                (Some(2), "item_code", "supply_item_not_found"),
                (Some(2), "qty", "out_of_range"),
                (Some(2), "produced_on", "not_a_date"),
            ],
        ),
        (
            HEAD.to_vec(),
            vec![vec!["云冈库", "1010101", "", "1", "", "", ""]],
            vec![(Some(2), "warehouse", "ambiguous_warehouse")],
        ),
        (
            HEAD.to_vec(),
            vec![vec!["平城库", "1020101", "", "1", "", "", ""]],
            vec![(Some(2), "batch_no", "batch_required")],
        ),
        (
            HEAD.to_vec(),
            vec![vec!["平城库", "1020101", "Q1", "1", "", "", "2028-01-01"]],
            vec![(Some(2), "expires_on", "batch_mismatch")],
        ),
        (
            HEAD.to_vec(),
            vec![vec![
                "平城库",
                "1020101",
                "Q9",
                "1",
                "",
                "2026-05-01",
                "2026-01-01",
            ]],
            vec![(Some(2), "expires_on", "expires_before_produced")],
        ),
        (
            HEAD.to_vec(),
            vec![
                vec!["平城库", "1010101", "", "1", "", "", ""],
                vec!["1", "1010101", "T1", "2", "", "", ""],
            ],
            vec![(Some(3), "batch_no", "duplicate_row")],
        ),
    ];
    for (header, rows, want) in cases {
        let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
        let got = run(&w, &header, &rows).unwrap_err();
        let got: Vec<(Option<u32>, &str, &str)> =
            got.iter().map(|(r, f, c)| (*r, f.as_str(), *c)).collect();
        assert_eq!(got, want, "{header:?} {rows:?}");
    }
}
