//! The demo's relief supplies: the catalogue of the plan's 专栏3 items
//! (coded by GB/T 38565-2020; see docs/rules.md on which codes are
//! assumptions), and stock in every demo warehouse put there by posted 入库
//! documents through the ledger (`supplies::store::post`), so that the
//! balances are real postings. One county issues some of its stock
//! (a posted 出库), one batch of food is near its expiry, and minimums are
//! set so that one alert shows.

use serde_json::json;
use time::{Duration, OffsetDateTime};

use super::DemoError;
use crate::db::{Tx, UtcText, Versioned};
use crate::journal::NewEntry;
use crate::supplies::{
    apply, check_item, date_text, store, Doc, DocCommand, DocKind, DocState, Line, NewItem,
};

/// (code, name, unit, specification, shelf life in days, storage): the
/// 专栏3 items of the demo. The codes follow the structure of GB/T
/// 38565-2020 (大类 1 基本生活保障物资 / 2 应急装备及配套物资 / 3 工程材料与
/// 机械加工设备, then 中类, 小类, 细类); the exact 中类–细类 numbers are
/// this platform's assumption (docs/rules.md, “Relief supplies”).
/// (code, name, unit, specification, shelf life in days, storage).
pub type ItemRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<i64>,
    &'static str,
);

pub const ITEMS: &[ItemRow] = &[
    (
        "1010101",
        "救灾帐篷",
        "顶",
        "12 m² 单帐篷",
        None,
        "干燥通风，防潮防鼠",
    ),
    (
        "1010102",
        "棉帐篷",
        "顶",
        "12 m² 棉帐篷",
        None,
        "干燥通风，防潮防鼠",
    ),
    (
        "1010201",
        "折叠床",
        "张",
        "单人 1.9 m × 0.7 m",
        None,
        "干燥通风",
    ),
    (
        "1020101",
        "棉被",
        "床",
        "2.0 m × 1.8 m 真空压缩",
        Some(1825),
        "干燥通风，防潮防蛀",
    ),
    (
        "1020102",
        "毛毯",
        "条",
        "2.0 m × 1.5 m",
        Some(1825),
        "干燥通风，防潮防蛀",
    ),
    (
        "1020201",
        "棉大衣",
        "件",
        "均码",
        Some(1825),
        "干燥通风，防潮防蛀",
    ),
    (
        "1020301",
        "睡袋",
        "个",
        "-10 ℃ 舒适温标",
        Some(1825),
        "干燥通风",
    ),
    (
        "1030101",
        "家庭应急包",
        "个",
        "17 类物品",
        Some(1095),
        "阴凉干燥",
    ),
    (
        "1040101",
        "方便食品",
        "箱",
        "24 份/箱",
        Some(270),
        "阴凉干燥，离地离墙",
    ),
    (
        "1040201",
        "瓶装饮用水",
        "箱",
        "550 ml × 24",
        Some(365),
        "阴凉避光",
    ),
    (
        "2010101",
        "救生衣",
        "件",
        "成人 GB/T 32227",
        None,
        "干燥避光",
    ),
    (
        "2020101",
        "汽油发电机组",
        "台",
        "5 kW",
        None,
        "干燥，定期试机",
    ),
    (
        "2020102",
        "柴油发电机组",
        "台",
        "30 kW",
        None,
        "干燥，定期试机",
    ),
    (
        "2030101",
        "移动照明灯组",
        "套",
        "4 × 500 W 升降",
        None,
        "干燥",
    ),
    ("3010101", "编织袋", "条", "55 cm × 95 cm", None, "避光"),
    ("3010201", "土工布", "平方米", "300 g/m²", None, "避光"),
];

/// What each warehouse holds: (code, city centre, a county) quantities.
const STOCK: &[(&str, i64, i64)] = &[
    ("1010101", 800, 120),
    ("1010102", 300, 40),
    ("1010201", 1500, 200),
    ("1020101", 5000, 600),
    ("1020102", 3000, 400),
    ("1020201", 2000, 300),
    ("1020301", 1000, 100),
    ("1030101", 2000, 200),
    ("1040101", 600, 80),
    ("1040201", 800, 100),
    ("2010101", 1000, 150),
    ("2020101", 20, 4),
    ("2020102", 6, 1),
    ("2030101", 10, 2),
    ("3010101", 50000, 8000),
    ("3010201", 20000, 3000),
];

/// Draft, approve and post one document in this change; its entries.
async fn post(
    tx: &mut Tx,
    backend: crate::db::Backend,
    mut d: Doc,
    lines: Vec<Line>,
    now: OffsetDateTime,
) -> Result<Vec<NewEntry>, DemoError> {
    d.id = store::insert_doc(tx, &d, &lines).await?;
    let mut out = vec![NewEntry::new(
        "demo",
        "supplies",
        &d.division,
        "document",
        d.id,
        "drafted",
        json!({ "kind": d.kind, "warehouse_id": d.warehouse_id, "lines": lines.len() }),
    )];
    for cmd in [DocCommand::Approve {}, DocCommand::Post {}] {
        let next =
            apply(d.clone(), &cmd, "demo", now).map_err(|e| DemoError::Other(e.to_string()))?;
        if !next.write(tx, d.version).await? {
            return Err(DemoError::Other("supplies demo: stale document".into()));
        }
        d = Doc {
            version: d.version + 1,
            ..next
        };
        let mut payload = json!({ "to": d.state });
        if cmd == (DocCommand::Post {}) {
            let stored = store::lines_tx(tx, d.id).await?;
            let moves = store::post(tx, backend, &d, &stored, UtcText(now))
                .await
                .map_err(|e| DemoError::Other(e.to_string()))?;
            payload["postings"] = json!(moves.len());
        }
        out.push(NewEntry::new(
            "demo",
            "supplies",
            &d.division,
            "document",
            d.id,
            cmd.as_str(),
            payload,
        ));
    }
    Ok(out)
}

fn doc(kind: DocKind, reason: &str, w: (i64, &str), note: &str, now: OffsetDateTime) -> Doc {
    let t = UtcText(now);
    Doc {
        id: 0,
        kind,
        reason: reason.into(),
        warehouse_id: w.0,
        division: w.1.into(),
        to_warehouse_id: None,
        to_division: String::new(),
        reverses: None,
        state: DocState::Draft,
        note: note.into(),
        created_by: "demo".into(),
        created_at: t,
        approved_by: String::new(),
        approved_at: None,
        posted_by: String::new(),
        posted_at: None,
        updated_at: t,
        version: 1,
    }
}

/// The catalogue, a posted 入库 per warehouse (`warehouses`: id and
/// division, the city centre first), one 出库, minimums. Returns the
/// journal entries.
pub async fn generate(
    tx: &mut Tx,
    backend: crate::db::Backend,
    now: OffsetDateTime,
    warehouses: &[(i64, String)],
) -> Result<Vec<NewEntry>, DemoError> {
    let mut entries = Vec::new();
    let mut ids = std::collections::HashMap::new();
    for (code, name, unit, spec, shelf, storage) in ITEMS {
        let (i, cat) = check_item(&NewItem {
            code: (*code).into(),
            name: (*name).into(),
            unit: (*unit).into(),
            specification: (*spec).into(),
            shelf_life_days: *shelf,
            storage: (*storage).into(),
        })
        .map_err(|e| DemoError::Invalid {
            kind: "supply_item".into(),
            name: (*name).into(),
            errors: format!("{e:?}"),
        })?;
        let id = store::insert_item(tx, &i, cat, UtcText(now)).await?;
        ids.insert(*code, (id, *shelf));
        entries.push(NewEntry::new(
            "demo",
            "supplies",
            "140200000000",
            "item",
            id,
            "created",
            json!({ "code": code, "name": name }),
        ));
    }
    let today = now.to_offset(crate::clock::CST).date();
    for (n, (w, division)) in warehouses.iter().enumerate() {
        let city = n == 0;
        let lines: Vec<Line> = STOCK
            .iter()
            .enumerate()
            .filter_map(|(k, (code, c, county))| {
                let (item_id, shelf) = ids.get(code).copied()?;
                // Made some months ago; food in one county close to expiry.
                let produced = today - Duration::days(60 + (n as i64 * 17 + k as i64 * 5) % 120);
                let mut expires = shelf.map(|s| produced + Duration::days(s));
                if *code == "1040101" && n == 2 {
                    expires = Some(today + Duration::days(12));
                }
                Some(Line {
                    id: 0,
                    doc_id: 0,
                    line_no: k as i64 + 1,
                    item_id,
                    batch_id: None,
                    batch_no: format!(
                        "{}{w}-{code}-{}",
                        if city { "SJ" } else { "XJ" },
                        produced.year()
                    ),
                    supplier: if city { "省级调拨" } else { "政府采购" }.into(),
                    produced_on: Some(date_text(produced)),
                    expires_on: expires.map(date_text),
                    qty: if city { *c } else { *county },
                })
            })
            .collect();
        let reason = if city { "transfer_in" } else { "purchase" };
        let d = doc(
            DocKind::Receipt,
            reason,
            (*w, division),
            "演示：期初入库",
            now,
        );
        entries.extend(post(tx, backend, d, lines, now).await?);
    }
    // One county issued tents and quilts to a flooded village (出库).
    if let Some((w, division)) = warehouses.get(1) {
        let line = |code: &str, qty: i64, no: i64| -> Option<Line> {
            let (item_id, _) = ids.get(code).copied()?;
            Some(Line {
                id: 0,
                doc_id: 0,
                line_no: no,
                item_id,
                batch_id: None,
                batch_no: String::new(),
                supplier: String::new(),
                produced_on: None,
                expires_on: None,
                qty,
            })
        };
        let lines: Vec<Line> = [line("1010101", 30, 1), line("1020101", 200, 2)]
            .into_iter()
            .flatten()
            .collect();
        let d = doc(
            DocKind::Issue,
            "relief",
            (*w, division),
            "演示：汛期受灾群众临时安置",
            now,
        );
        entries.extend(post(tx, backend, d, lines, now).await?);
        // Its minimum for tents is above what is left (an alert).
        if let Some((tent, _)) = ids.get("1010101") {
            store::set_minimum(tx, *w, *tent, 100, UtcText(now)).await?;
            entries.push(NewEntry::new(
                "demo",
                "supplies",
                division,
                "minimum",
                *w,
                "minimum_set",
                json!({ "item_id": tent, "min_qty": 100 }),
            ));
        }
    }
    Ok(entries)
}
