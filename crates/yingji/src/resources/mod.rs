//! The registry kinds of the platform (应急资源与监管对象): their fields and
//! rules. Everything else (listing, map layer, import/export, audit) comes
//! from [`crate::registry`].

use serde_json::{Map, Value};

use crate::error::FieldError;
use crate::registry::{Ctx, FieldSpec, FieldType as T, ImportJournal, KindSpec, Opt};

const fn f(
    key: &'static str,
    zh: &'static str,
    en: &'static str,
    ty: T,
    required: bool,
) -> FieldSpec {
    FieldSpec {
        key,
        zh,
        en,
        ty,
        required,
    }
}

const PEOPLE: T = T::Int {
    min: 0,
    max: 1_000_000,
};
const SHORT: T = T::Text { max: 100 };
const LONG: T = T::Text { max: 1000 };

/// Personal data of most kinds: the person in charge and their phone (the
/// duty phone of a shelter or a warehouse is a public line).
const CONTACT: &[&str] = &["responsible", "phone"];
/// Kinds whose every line reaches a person (teams' and villages' contacts).
const PERSON_AND_PHONES: &[&str] = &["responsible", "phone", "duty_phone"];

pub const TEAM: KindSpec = KindSpec {
    kind: "team",
    zh: "救援队伍",
    en: "Rescue teams",
    fields: &[
        f(
            "team_kind",
            "队伍类型",
            "Team kind",
            T::Dict("team_kind"),
            true,
        ),
        f(
            "headcount",
            "人数",
            "Headcount",
            T::Int {
                min: 1,
                max: 100_000,
            },
            true,
        ),
        f("affiliation", "隶属单位", "Affiliation", SHORT, false),
        f(
            "affiliation_type",
            "隶属关系",
            "Kind of affiliation",
            T::Dict("team_affiliation"),
            false,
        ),
        f(
            "equipment_summary",
            "主要装备",
            "Equipment summary",
            LONG,
            false,
        ),
        f("specialities", "专长", "Specialities", T::List, false),
    ],
    category: Some("team_kind"),
    check: no_extra_rules,
    import_journal: ImportJournal::PerRecord,
    personal: PERSON_AND_PHONES,
    located: true,
};

pub const EXPERT: KindSpec = KindSpec {
    kind: "expert",
    zh: "专家",
    en: "Experts",
    fields: &[
        f("field", "专业领域", "Field", T::Dict("expert_field"), true),
        f("title", "职称", "Title", SHORT, false),
        f("organisation", "工作单位", "Organisation", SHORT, false),
        f("specialities", "专长", "Specialities", T::List, false),
    ],
    category: Some("field"),
    check: no_extra_rules,
    import_journal: ImportJournal::PerRecord,
    personal: &["responsible", "phone", "duty_phone", "address"],
    located: true,
};

pub const EQUIPMENT: KindSpec = KindSpec {
    kind: "equipment",
    zh: "装备车辆",
    en: "Equipment and vehicles",
    fields: &[
        f(
            "equipment_type",
            "装备类型",
            "Equipment type",
            T::Dict("equipment_type"),
            true,
        ),
        f("model", "型号", "Model", SHORT, false),
        f(
            "quantity",
            "数量",
            "Quantity",
            T::Int {
                min: 1,
                max: 1_000_000,
            },
            true,
        ),
        f("unit", "计量单位", "Unit", T::Text { max: 10 }, false),
        f("owner_team", "所属队伍", "Owner team", SHORT, false),
    ],
    category: Some("equipment_type"),
    check: no_extra_rules,
    import_journal: ImportJournal::PerRecord,
    personal: CONTACT,
    located: true,
};

pub const WAREHOUSE: KindSpec = KindSpec {
    kind: "warehouse",
    zh: "物资仓库",
    en: "Warehouses",
    fields: &[
        f(
            "level",
            "储备库级别",
            "Level",
            T::Enum(&[
                ("city", "市级", "City"),
                ("county", "县级", "County"),
                ("township", "乡级", "Township"),
            ]),
            true,
        ),
        f(
            "capacity_m3",
            "库容(立方米)",
            "Capacity (m³)",
            T::Float {
                min: 0.0,
                max: 10_000_000.0,
            },
            false,
        ),
        f(
            "area_m2",
            "面积(平方米)",
            "Floor area (m²)",
            T::Float {
                min: 0.0,
                max: 10_000_000.0,
            },
            false,
        ),
        f(
            "main_supplies",
            "主要储备物资",
            "Main supplies",
            T::List,
            false,
        ),
    ],
    category: Some("level"),
    check: no_extra_rules,
    import_journal: ImportJournal::PerRecord,
    personal: CONTACT,
    located: true,
};

pub const SHELTER: KindSpec = KindSpec {
    kind: "shelter",
    zh: "避难场所",
    en: "Shelters",
    fields: &[
        f(
            "shelter_class",
            "场所类别",
            "Class",
            T::Enum(SHELTER_CLASSES),
            true,
        ),
        f(
            "duration_days",
            "可安置天数",
            "Days of stay",
            T::Int { min: 1, max: 3650 },
            true,
        ),
        f(
            "area_m2",
            "有效面积(平方米)",
            "Effective area (m²)",
            T::Float {
                min: 1.0,
                max: 100_000_000.0,
            },
            true,
        ),
        f("capacity", "容纳人数", "Capacity (people)", PEOPLE, false),
        f(
            "served_population",
            "服务人口",
            "Population served",
            PEOPLE,
            false,
        ),
        f(
            "shelter_type",
            "场所类型",
            "Type",
            T::Enum(&[
                ("indoor", "室内", "Indoor"),
                ("outdoor", "室外", "Outdoor"),
                ("mixed", "室内外结合", "Mixed"),
            ]),
            false,
        ),
        f("facilities", "配套设施", "Facilities", T::List, false),
    ],
    category: Some("shelter_class"),
    check: |a, _| shelter_rules(a),
    import_journal: ImportJournal::PerRecord,
    personal: CONTACT,
    located: true,
};

pub const SHELTER_CLASSES: &[(&str, &str, &str)] = &[
    ("I", "Ⅰ类", "Class I"),
    ("II", "Ⅱ类", "Class II"),
    ("III", "Ⅲ类", "Class III"),
];

pub const ENTERPRISE: KindSpec = KindSpec {
    kind: "enterprise",
    zh: "企业",
    en: "Enterprises",
    fields: &[
        f(
            "uscc",
            "统一社会信用代码",
            "Unified social credit code",
            T::Text { max: 18 },
            true,
        ),
        f("industry", "行业", "Industry", T::Dict("industry"), true),
        f(
            "scale",
            "规模",
            "Scale",
            T::Enum(&[
                ("large", "大型", "Large"),
                ("medium", "中型", "Medium"),
                ("small", "小型", "Small"),
                ("micro", "微型", "Micro"),
            ]),
            false,
        ),
        f("employees", "从业人数", "Employees", PEOPLE, false),
        f(
            "legal_person",
            "法定代表人",
            "Legal representative",
            SHORT,
            false,
        ),
    ],
    category: Some("industry"),
    check: |a, _| enterprise_rules(a),
    import_journal: ImportJournal::PerRecord,
    personal: CONTACT,
    located: true,
};

pub const HAZARD_SOURCE: KindSpec = KindSpec {
    kind: "hazard_source",
    zh: "危险源",
    en: "Hazard sources",
    fields: &[
        f(
            "hazard_class",
            "危险源类别",
            "Class",
            T::Dict("hazard_class"),
            true,
        ),
        f(
            "level",
            "重大危险源等级",
            "Major hazard level",
            T::Enum(&[
                ("1", "一级", "Level 1"),
                ("2", "二级", "Level 2"),
                ("3", "三级", "Level 3"),
                ("4", "四级", "Level 4"),
                ("none", "一般", "General"),
            ]),
            true,
        ),
        f(
            "enterprise_id",
            "所属企业编号",
            "Enterprise id",
            T::Int {
                min: 1,
                max: i64::MAX,
            },
            false,
        ),
        f("enterprise_name", "所属企业", "Enterprise", SHORT, false),
        f(
            "substances",
            "主要危险物质",
            "Main substances",
            T::List,
            false,
        ),
        f(
            "risk_color",
            "风险等级",
            "Risk level",
            T::Enum(&[
                ("red", "重大风险(红)", "Major (red)"),
                ("orange", "较大风险(橙)", "High (orange)"),
                ("yellow", "一般风险(黄)", "Moderate (yellow)"),
                ("blue", "低风险(蓝)", "Low (blue)"),
            ]),
            false,
        ),
    ],
    category: Some("level"),
    check: no_extra_rules,
    import_journal: ImportJournal::PerRecord,
    personal: CONTACT,
    located: true,
};

pub const MONITORING_POINT: KindSpec = KindSpec {
    kind: "monitoring_point",
    zh: "监测点",
    en: "Monitoring points",
    fields: &[
        f(
            "monitor_type",
            "监测类型",
            "Monitoring type",
            T::Dict("monitor_type"),
            true,
        ),
        f(
            "device_code",
            "设备编号",
            "Device code",
            T::Text { max: 50 },
            false,
        ),
        f("indicators", "监测指标", "Indicators", T::List, false),
        f("operator_org", "运维单位", "Operated by", SHORT, false),
    ],
    category: Some("monitor_type"),
    check: no_extra_rules,
    import_journal: ImportJournal::PerRecord,
    personal: CONTACT,
    located: true,
};

/// Where people live (a village, a community, a block): the demand of
/// coverage analysis (1-hour rescue coverage, station siting) and of warning
/// targeting.
pub const SETTLEMENT: KindSpec = KindSpec {
    kind: "settlement",
    zh: "居民点人口",
    en: "Settlements",
    fields: &[
        f(
            "settlement_type",
            "类型",
            "Type",
            T::Enum(&[
                ("village", "行政村", "Village"),
                ("community", "社区", "Community"),
                ("other", "其他居民点", "Other"),
            ]),
            true,
        ),
        f(
            "population",
            "常住人口",
            "Resident population",
            T::Int {
                min: 0,
                max: 10_000_000,
            },
            true,
        ),
        f(
            "households",
            "户数",
            "Households",
            T::Int {
                min: 0,
                max: 10_000_000,
            },
            false,
        ),
        f(
            "data_source",
            "人口数据来源",
            "Population source",
            SHORT,
            false,
        ),
    ],
    category: Some("settlement_type"),
    check: no_extra_rules,
    import_journal: ImportJournal::PerFile,
    personal: PERSON_AND_PHONES,
    located: true,
};

/// Someone who receives public warnings (预警订阅): a person or an
/// organisation with a home location, reached by SMS (the record's phone),
/// e-mail and/or a webhook.
pub const SUBSCRIBER: KindSpec = KindSpec {
    kind: "subscriber",
    zh: "预警订阅",
    en: "Warning subscribers",
    fields: &[
        f(
            "subscriber_type",
            "订阅者类型",
            "Subscriber type",
            T::Enum(&[
                ("person", "个人", "Person"),
                ("org", "单位", "Organisation"),
            ]),
            true,
        ),
        f("email", "电子邮箱", "E-mail", T::Text { max: 200 }, false),
        f(
            "webhook_url",
            "接收地址(Webhook)",
            "Webhook URL",
            T::Text { max: 500 },
            false,
        ),
    ],
    category: Some("subscriber_type"),
    check: subscriber_rules,
    import_journal: ImportJournal::PerFile,
    personal: &[
        "name",
        "address",
        "responsible",
        "phone",
        "duty_phone",
        "email",
        "webhook_url",
    ],
    located: true,
};

/// E-mail and webhook addresses must be usable; a webhook must not point
/// at an address that is not public (loopback, private, link-local …)
/// unless the configuration allows it. (Host names are checked again when
/// resolved, at every delivery: that is the real guard.)
fn subscriber_rules(a: &mut Map<String, Value>, ctx: &Ctx) -> Vec<FieldError> {
    let mut out = Vec::new();
    if let Some(e) = a
        .get("email")
        .and_then(Value::as_str)
        .filter(|e| !e.is_empty())
    {
        let ok = e.split_once('@').is_some_and(|(u, d)| {
            !u.is_empty()
                && d.contains('.')
                && !d.starts_with('.')
                && !e.contains(char::is_whitespace)
        });
        if !ok {
            out.push(FieldError::new("email", "不是有效的电子邮箱地址").code("bad_email"));
        }
    }
    if let Some(u) = a
        .get("webhook_url")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
    {
        match yingji_channels::check_webhook_url(u, ctx.webhook_allow) {
            Ok(()) => {}
            Err(yingji_channels::RecipientError::PrivateAddress) => out.push(FieldError::new(
                "webhook_url",
                "不能指向内网、本机或保留地址（如 127.0.0.1、10.x、169.254.x）；本单位自有系统请由管理员加入 [warnings.channels.webhook] allow",
            ).code("webhook_private_address")),
            Err(_) => out.push(
                FieldError::new("webhook_url", "应为 http:// 或 https:// 地址").code("not_http_url"),
            ),
        }
    }
    out
}

/// 通讯录 contacts (issue #19): a department, a command member, a township
/// duty room, a utility's dispatcher … — who a duty officer calls. Not a
/// place: longitude and latitude may be left empty. The person's mobile and
/// e-mail are personal data; the office and duty lines are public lines.
pub const CONTACT_KIND: KindSpec = KindSpec {
    kind: "contact",
    zh: "通讯录联系人",
    en: "Directory contacts",
    fields: &[
        f(
            "group",
            "分组",
            "Group",
            T::Enum(&[
                ("command", "指挥部成员单位", "Command members"),
                ("department", "政府部门", "Government departments"),
                ("township", "乡镇（街道）值班", "Township duty rooms"),
                ("utility", "水电气通信保障", "Water, power, gas, telecoms"),
                ("military", "驻地部队与民兵", "Armed forces and militia"),
                ("other", "其他", "Other"),
            ]),
            true,
        ),
        f("organisation", "单位", "Organisation", SHORT, false),
        f("position", "职务", "Position", SHORT, false),
        f("mobile", "手机", "Mobile", T::Phone, false),
        f("email", "电子邮箱", "E-mail", T::Text { max: 100 }, false),
        f("note", "备注", "Note", LONG, false),
    ],
    category: Some("group"),
    check: no_extra_rules,
    import_journal: ImportJournal::PerRecord,
    personal: &["responsible", "mobile", "email", "address"],
    located: false,
};

/// Every kind, in menu order.
pub const KINDS: &[&KindSpec] = &[
    &TEAM,
    &EXPERT,
    &EQUIPMENT,
    &WAREHOUSE,
    &SHELTER,
    &ENTERPRISE,
    &HAZARD_SOURCE,
    &MONITORING_POINT,
    &SETTLEMENT,
    &SUBSCRIBER,
    &CONTACT_KIND,
];

pub fn kind(name: &str) -> Option<&'static KindSpec> {
    KINDS.iter().copied().find(|k| k.kind == name)
}

fn no_extra_rules(_: &mut Map<String, Value>, _: &Ctx) -> Vec<FieldError> {
    Vec::new()
}

/// People per m² of effective area for emergency shelters.
pub const M2_PER_PERSON: f64 = 1.5;

/// GB 21734: Ⅰ类 ≥ 30 days, Ⅱ类 10–30 days, Ⅲ类 ≤ 10 days; capacity at
/// ≥ 1.5 m² per person (derived when not given).
fn shelter_rules(a: &mut Map<String, Value>) -> Vec<FieldError> {
    let mut e = Vec::new();
    let class = a.get("shelter_class").and_then(Value::as_str).unwrap_or("");
    let days = a.get("duration_days").and_then(Value::as_i64).unwrap_or(0);
    let ok = match class {
        "I" => days >= 30,
        "II" => (10..=30).contains(&days),
        "III" => days <= 10,
        _ => true,
    };
    if !ok {
        let (want, min, max) = match class {
            "I" => ("Ⅰ类场所可安置天数应不少于 30 天", Some(30), None),
            "II" => ("Ⅱ类场所可安置天数应为 10–30 天", Some(10), Some(30)),
            _ => ("Ⅲ类场所可安置天数应不超过 10 天", None, Some(10)),
        };
        let mut err = FieldError::new("duration_days", want)
            .code("shelter_class_days")
            .param("class", class)
            .param("days", days);
        if let Some(min) = min {
            err = err.param("min", min);
        }
        if let Some(max) = max {
            err = err.param("max", max);
        }
        e.push(err);
    }
    let area = a.get("area_m2").and_then(Value::as_f64).unwrap_or(0.0);
    let max_people = (area / M2_PER_PERSON).floor() as i64;
    match a.get("capacity").and_then(Value::as_i64) {
        Some(c) if c > max_people => e.push(
            FieldError::new(
                "capacity",
                format!(
                    "按人均不少于 {M2_PER_PERSON} 平方米，{area} 平方米最多容纳 {max_people} 人"
                ),
            )
            .code("capacity_over_area")
            .param("m2_per_person", M2_PER_PERSON)
            .param("area", area)
            .param("max", max_people),
        ),
        Some(_) => {}
        None => {
            a.insert("capacity".into(), Value::from(max_people));
        }
    }
    e
}

/// GB 32100-2015 check character of a unified social credit code.
pub fn uscc_valid(code: &str) -> bool {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let bytes: Vec<char> = code.chars().collect();
    if bytes.len() != 18 {
        return false;
    }
    let mut sum = 0;
    for (i, c) in bytes[..17].iter().enumerate() {
        let Some(v) = CHARS.find(*c) else {
            return false;
        };
        sum += v * WEIGHTS[i];
    }
    let check = (31 - sum % 31) % 31;
    CHARS.chars().nth(check) == Some(bytes[17])
}

fn enterprise_rules(a: &mut Map<String, Value>) -> Vec<FieldError> {
    let code = a
        .get("uscc")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_uppercase();
    if !uscc_valid(&code) {
        return vec![FieldError::new(
            "uscc",
            format!("“{code}”不是有效的统一社会信用代码（18 位，末位校验码不符）"),
        )
        .code("bad_uscc")
        .param("value", code)];
    }
    a.insert("uscc".into(), Value::String(code));
    Vec::new()
}

/// Default dictionaries (editable in the `dictionaries` table).
pub fn default_dictionaries() -> Vec<(&'static str, Vec<Opt>)> {
    let o = |v: &str, zh: &str, en: &str| Opt {
        value: v.into(),
        label_zh: zh.into(),
        label_en: en.into(),
    };
    vec![
        (
            "team_kind",
            vec![
                o("fire", "综合消防", "Fire and rescue"),
                o("forest_fire", "森林消防", "Forest firefighting"),
                o("mine", "矿山救护", "Mine rescue"),
                o("hazmat", "危化救援", "Hazardous chemicals"),
                o("flood", "防汛抢险", "Flood control"),
                o("power", "电力抢修", "Power repair"),
                o("gas", "燃气抢险", "Gas emergency"),
                o("heating", "供热抢修", "Heating repair"),
                o("telecom", "通信保障", "Telecommunications"),
                o("medical", "医疗救护", "Medical rescue"),
                o("earthquake", "地震救援", "Earthquake rescue"),
                o("traffic", "交通抢险", "Road and traffic"),
                o("water", "供排水抢修", "Water supply and drainage"),
                o("construction", "建筑工程抢险", "Construction rescue"),
                o("aviation", "航空救援", "Aviation rescue"),
                o("environment", "环境应急监测", "Environmental monitoring"),
                o("social", "社会力量", "Volunteer / social forces"),
            ],
        ),
        (
            "team_affiliation",
            vec![
                o(
                    "fire_rescue",
                    "国家综合性消防救援队伍（垂直管理）",
                    "National fire and rescue service (vertically managed)",
                ),
                o("government", "政府专职队伍", "Government professional team"),
                o(
                    "enterprise",
                    "企业专职队伍",
                    "Enterprise team (utility, coal group, park)",
                ),
                o(
                    "public_institution",
                    "事业单位队伍（医院、急救中心、监测中心）",
                    "Public institution (hospital, 120, monitoring centre)",
                ),
                o(
                    "social",
                    "社会应急力量（志愿者组织）",
                    "Volunteer organisation",
                ),
            ],
        ),
        (
            "expert_field",
            vec![
                o("safety_production", "安全生产", "Production safety"),
                o("coal_mine", "煤矿安全", "Coal-mine safety"),
                o("hazmat", "危险化学品", "Hazardous chemicals"),
                o("forest_fire", "森林草原防火", "Forest and grassland fire"),
                o("flood_drought", "防汛抗旱", "Flood and drought"),
                o("geology", "地质灾害", "Geological hazards"),
                o("earthquake", "地震", "Earthquake"),
                o("meteorology", "气象", "Meteorology"),
                o("medical", "医疗卫生", "Medical"),
                o("fire", "消防", "Fire"),
                o("construction", "建筑施工", "Construction"),
                o("law", "法律", "Law"),
            ],
        ),
        (
            "equipment_type",
            vec![
                o("fire_truck", "消防车", "Fire truck"),
                o("forest_fire_vehicle", "森林消防车", "Forest fire vehicle"),
                o("rescue_vehicle", "抢险救援车", "Rescue vehicle"),
                o("command_vehicle", "指挥车", "Command vehicle"),
                o("ambulance", "救护车", "Ambulance"),
                o("excavator", "挖掘机", "Excavator"),
                o("pump", "排涝泵", "Drainage pump"),
                o("generator", "发电机组", "Generator"),
                o("boat", "冲锋舟/橡皮艇", "Boat"),
                o("drone", "无人机", "Drone"),
                o("satellite_phone", "卫星电话", "Satellite phone"),
                o("breathing_apparatus", "空气呼吸器", "Breathing apparatus"),
                o("lighting", "照明灯组", "Lighting"),
            ],
        ),
        (
            "industry",
            vec![
                o("coal_mine", "煤矿", "Coal mining"),
                o("non_coal_mine", "非煤矿山", "Non-coal mining"),
                o("hazmat", "危险化学品", "Hazardous chemicals"),
                o("fireworks", "烟花爆竹", "Fireworks"),
                o("metallurgy", "冶金", "Metallurgy"),
                o("nonferrous", "有色", "Non-ferrous metals"),
                o("building_materials", "建材", "Building materials"),
                o("machinery", "机械", "Machinery"),
                o("light_industry", "轻工", "Light industry"),
                o("textile", "纺织", "Textiles"),
                o("tobacco", "烟草", "Tobacco"),
                o("trade", "商贸", "Trade"),
                o("power", "电力", "Power"),
            ],
        ),
        (
            "hazard_class",
            vec![
                o("storage_tank", "储罐区", "Tank farm"),
                o("warehouse", "库区", "Storage area"),
                o("production_unit", "生产装置", "Production unit"),
                o("tailings_pond", "尾矿库", "Tailings pond"),
                o("gas_station", "加油加气站", "Fuel station"),
                o("pipeline", "长输管道", "Pipeline"),
                o("mine_shaft", "矿井", "Mine shaft"),
            ],
        ),
        (
            "monitor_type",
            vec![
                o("forest_fire_video", "森林防火视频监控", "Forest-fire video"),
                o(
                    "seismic_reference",
                    "地震基准站",
                    "Seismic reference station",
                ),
                o("seismic_basic", "地震基本站", "Seismic basic station"),
                o("seismic_general", "地震一般站", "Seismic general station"),
                o("seismic_school", "地震校园终端", "Seismic school terminal"),
                o("rain_gauge", "雨量站", "Rain gauge"),
                o("water_level", "水位站", "Water level"),
                o("geohazard", "地质灾害监测", "Geohazard monitoring"),
                o("weather", "气象站", "Weather station"),
                o(
                    "hazmat_online",
                    "危化品在线监测",
                    "Hazmat online monitoring",
                ),
                o("mine_safety", "煤矿安全监控", "Mine safety monitoring"),
            ],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uscc_check_digit() {
        // A published example with a valid check character.
        assert!(uscc_valid("91350100M000100Y43"));
        assert!(uscc_valid("91140214MA0K1234XP"));
        assert!(!uscc_valid("91350100M000100Y44"));
        assert!(!uscc_valid("91350100M000100Y4"));
        assert!(
            !uscc_valid("91350100M000100YI3"),
            "I is not in the alphabet"
        );
    }

    #[test]
    fn shelter_class_table() {
        // (class, days, area, capacity, ok)
        let table = [
            ("I", 30, 4500.0, None, true),
            ("I", 29, 4500.0, None, false),
            ("II", 10, 4500.0, None, true),
            ("II", 30, 4500.0, None, true),
            ("II", 9, 4500.0, None, false),
            ("II", 31, 4500.0, None, false),
            ("III", 10, 4500.0, None, true),
            ("III", 11, 4500.0, None, false),
            ("III", 3, 4500.0, Some(3000), true),
            ("III", 3, 4500.0, Some(3001), false),
        ];
        for (class, days, area, cap, ok) in table {
            let mut a = Map::new();
            a.insert("shelter_class".into(), class.into());
            a.insert("duration_days".into(), days.into());
            a.insert("area_m2".into(), area.into());
            if let Some(c) = cap {
                a.insert("capacity".into(), Value::from(c));
            }
            let e = shelter_rules(&mut a);
            assert_eq!(e.is_empty(), ok, "{class} {days} {cap:?}: {e:?}");
            if ok && cap.is_none() {
                assert_eq!(a["capacity"], Value::from(3000));
            }
        }
    }

    #[test]
    fn seventeen_team_kinds() {
        let d = default_dictionaries();
        let teams = &d.iter().find(|(n, _)| *n == "team_kind").unwrap().1;
        assert_eq!(teams.len(), 17);
    }
}
