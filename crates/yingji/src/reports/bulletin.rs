//! 生产安全事故快报: what the first report of an accident says, by
//! 《生产安全事故信息报告和处置办法》(原安监总局令第21号) 第十二条 (as
//! remembered: 事故发生单位的名称、地址、性质、产能等基本情况; 发生的时间、地点
//! 以及事故现场情况; 简要经过; 已经造成或者可能造成的伤亡人数（包括下落不明、
//! 涉险的人数）; 已经采取的措施; 其他) and the 快报 layout bureaus use: the
//! unit (name, 统一社会信用代码, 经济类型, 行业), the GB 6441 class, the place,
//! the possible casualties, the measures taken, the reporter and phone.
//! Pure validation with coded field errors.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// The 快报's fields beside the accident's own (name, time, counts).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Bulletin {
    /// 事故发生单位名称.
    pub unit_name: String,
    /// 统一社会信用代码 (GB 32100-2015, 18 characters); empty when unknown.
    pub credit_code: String,
    /// 经济类型 ([`OWNERSHIPS`]); empty when unknown.
    pub ownership: String,
    /// 事故类别 by GB 6441-1986 ([`GB6441_CLASSES`]); empty when unknown.
    pub class: String,
    /// 事故发生地点 (the place, more precisely than the division).
    pub place: String,
    /// 可能造成的伤亡（含下落不明、涉险）: what may still come, in words.
    pub possible_casualties: String,
    /// 已经采取的措施.
    pub measures: String,
    /// 报告人.
    pub reporter: String,
    /// 报告人联系电话.
    pub reporter_phone: String,
}

/// 《企业职工伤亡事故分类》GB 6441-1986 §5 (事故类别): the 20 classes, by
/// their number in the standard.
pub const GB6441_CLASSES: &[(&str, &str)] = &[
    ("01", "物体打击"),
    ("02", "车辆伤害"),
    ("03", "机械伤害"),
    ("04", "起重伤害"),
    ("05", "触电"),
    ("06", "淹溺"),
    ("07", "灼烫"),
    ("08", "火灾"),
    ("09", "高处坠落"),
    ("10", "坍塌"),
    ("11", "冒顶片帮"),
    ("12", "透水"),
    ("13", "放炮"),
    ("14", "火药爆炸"),
    ("15", "瓦斯爆炸"),
    ("16", "锅炉爆炸"),
    ("17", "容器爆炸"),
    ("18", "其它爆炸"),
    ("19", "中毒和窒息"),
    ("20", "其它伤害"),
];

/// 经济类型 of the unit. **Assumption:** the 快报's list as bureaus print it
/// (国有、集体、私营、股份制、外商及港澳台投资、个体、其他), not a numbered
/// national code list.
pub const OWNERSHIPS: &[(&str, &str)] = &[
    ("state", "国有"),
    ("collective", "集体"),
    ("private", "私营"),
    ("shareholding", "股份制"),
    ("foreign", "外商及港澳台投资"),
    ("individual", "个体"),
    ("other", "其他"),
];

/// GB 32100-2015 《法人和其他组织统一社会信用代码编码规则》: 18 characters
/// from `0-9 A-H J-N P-R T-U W-Y` (no I, O, Z, S, V); the last is the check
/// character: C18 = 31 − (Σ Ci·Wi mod 31), Wi = 3^(i−1) mod 31 for
/// i = 1…17 (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30,
/// 28), 31 written as 0.
pub fn credit_code_ok(code: &str) -> bool {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const W: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let v: Option<Vec<u32>> = code
        .chars()
        .map(|c| CHARS.find(c).map(|i| i as u32))
        .collect();
    let Some(v) = v else { return false };
    if v.len() != 18 {
        return false;
    }
    let sum: u32 = v[..17].iter().zip(W).map(|(c, w)| c * w).sum();
    let check = (31 - sum % 31) % 31;
    v[17] == check
}

/// A phone number as written on a form: digits with an optional leading
/// `+`, `-` and spaces between, 7–20 digits.
pub fn phone_ok(p: &str) -> bool {
    let p = p.trim();
    let body = p.strip_prefix('+').unwrap_or(p);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    body.chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
        && (7..=20).contains(&digits)
}

/// Check a 快报: every wrong field named (`bulletin.<field>`). `required`:
/// the unit's own report (双报告) must name the unit, the reporter and a
/// phone.
pub fn check(b: &Bulletin, required: bool) -> Vec<FieldError> {
    let mut e = Vec::new();
    let f = |k: &str| format!("bulletin.{k}");
    if required {
        for (k, v) in [
            ("unit_name", &b.unit_name),
            ("reporter", &b.reporter),
            ("reporter_phone", &b.reporter_phone),
        ] {
            if v.trim().is_empty() {
                e.push(FieldError::required(f(k)));
            }
        }
    }
    if !b.credit_code.is_empty() && !credit_code_ok(&b.credit_code) {
        e.push(
            FieldError::new(
                f("credit_code"),
                "统一社会信用代码应为 18 位且校验码正确（GB 32100-2015）",
            )
            .code("bad_credit_code"),
        );
    }
    for (k, v, opts) in [
        ("ownership", &b.ownership, OWNERSHIPS),
        ("class", &b.class, GB6441_CLASSES),
    ] {
        if !v.is_empty() && !opts.iter().any(|(c, _)| c == v) {
            e.push(
                FieldError::new(f(k), format!("“{v}”不是可选项"))
                    .code("not_an_option")
                    .param("value", v.to_string())
                    .param(
                        "options",
                        opts.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", "),
                    ),
            );
        }
    }
    if !b.reporter_phone.trim().is_empty() && !phone_ok(&b.reporter_phone) {
        e.push(FieldError::new(f("reporter_phone"), "电话号码应为 7–20 位数字").code("bad_phone"));
    }
    for (k, v, max) in [
        ("unit_name", &b.unit_name, 100),
        ("place", &b.place, 200),
        ("possible_casualties", &b.possible_casualties, 500),
        ("measures", &b.measures, 2000),
        ("reporter", &b.reporter, 50),
    ] {
        if v.chars().count() > max {
            e.push(FieldError::too_long(f(k), max));
        }
    }
    e
}

/// The Chinese name of a code of `options` (empty when not one).
pub fn label(options: &[(&str, &'static str)], code: &str) -> &'static str {
    options
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, zh)| *zh)
        .unwrap_or("")
}

/// The 生产安全事故快报 as `word/document.xml` (the shared writer,
/// [`crate::docx`]): the title, who reports and when (Beijing time with its
/// offset), then one table of the 快报's items from the accident record.
pub fn document_xml(
    a: &super::Accident,
    division_name: &str,
    made: time::OffsetDateTime,
) -> String {
    use crate::docx::parts::{document, field, para, run, table};
    let b = &a.bulletin;
    let or_dash = |v: &str| {
        if v.trim().is_empty() {
            "—".to_string()
        } else {
            v.to_string()
        }
    };
    let industry = super::INDUSTRIES
        .iter()
        .find(|(k, _)| *k == a.industry)
        .map_or(a.industry.as_str(), |(_, zh)| *zh);
    let class = match label(GB6441_CLASSES, &b.class) {
        "" => "—".to_string(),
        zh => format!("{} {zh}", b.class),
    };
    let casualties = format!(
        "死亡 {} 人，下落不明 {} 人，重伤 {} 人；涉险 {} 人，被困 {} 人，紧急疏散 {} 人",
        a.deaths,
        a.missing,
        a.serious_injuries,
        a.danger.at_risk,
        a.danger.trapped,
        a.danger.evacuated
    );
    let loss = format!("{:.4} 万元", a.direct_loss_yuan as f64 / 10_000.0);
    let mut grade = a.grade_zh.clone();
    if !a.larger_danger.is_empty() {
        grade.push_str(&format!("；较大涉险事故（{}）", a.larger_danger.join("；")));
    }
    let reporter = match (b.reporter.trim(), b.reporter_phone.trim()) {
        ("", "") => "—".to_string(),
        (r, "") => r.to_string(),
        (r, p) => format!("{r}　电话：{p}"),
    };
    let rows: Vec<[String; 2]> = [
        ("事故单位", or_dash(&b.unit_name)),
        ("统一社会信用代码", or_dash(&b.credit_code)),
        ("经济类型", or_dash(label(OWNERSHIPS, &b.ownership))),
        ("行业", industry.to_string()),
        ("事故类别（GB 6441）", class),
        ("发生时间", crate::clock::format_local(a.occurred_at.0)),
        ("发生地点", format!("{division_name}　{}", b.place.trim())),
        ("伤亡情况", casualties),
        (
            "可能造成的伤亡（含下落不明、涉险）",
            or_dash(&b.possible_casualties),
        ),
        ("直接经济损失（初步估计）", loss),
        ("事故等级", grade),
        ("事故简要经过", or_dash(&a.description)),
        ("已经采取的措施", or_dash(&b.measures)),
        ("报告人", reporter),
    ]
    .into_iter()
    .map(|(k, v)| [k.to_string(), v])
    .collect();
    let mut body = String::new();
    body.push_str(&para(&run("生产安全事故快报", 44, true), true));
    body.push_str(&para(
        &run(&format!("快报编号：SG{:06}", a.id), 21, false),
        true,
    ));
    body.push_str(&field("报告时间", &crate::clock::format_local(made)));
    body.push_str(&field("事故名称", &a.name));
    body.push_str(&table(&[2800, 6000], &["项目", "内容"], &rows));
    document(&body)
}

/// The 快报 as a .docx package.
pub fn write(
    a: &super::Accident,
    division_name: &str,
    made: time::OffsetDateTime,
) -> Result<Vec<u8>, zip::result::ZipError> {
    crate::docx::parts::package(&document_xml(a, division_name, made))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GB 32100-2015's check character (W = 3^(i−1) mod 31, checked against
    /// the standard's weights), on well-formed codes and corruptions.
    #[test]
    fn credit_codes_by_gb_32100() {
        // (code, valid)
        let table = [
            ("91110108551385082Q", true),
            ("91110000802100433B", true),
            // A wrong check character (Y is right).
            ("11100000MB0142209Q", false),
            ("11100000MB0142209Y", true),
            ("91110000802100433C", false),
            ("9111000080210043B", false),
            ("91110000802100433BB", false),
            // I, O, S, V, Z are not used.
            ("91110000802100433I", false),
            ("9111000080210O433B", false),
            ("", false),
            ("91110000802100433b", false),
        ];
        for (code, want) in table {
            assert_eq!(credit_code_ok(code), want, "{code}");
        }
    }

    #[test]
    fn phones() {
        for (p, want) in [
            ("0352-1234567", true),
            ("13800138000", true),
            ("+86 138 0013 8000", true),
            ("123456", false),
            ("1234567", true),
            ("12345678901234567890", true),
            ("123456789012345678901", false),
            ("138-abc", false),
            ("", false),
        ] {
            assert_eq!(phone_ok(p), want, "{p}");
        }
    }

    #[test]
    fn every_wrong_field_is_named() {
        let ok = Bulletin {
            unit_name: "某煤业有限公司".into(),
            credit_code: "91110000802100433B".into(),
            ownership: "private".into(),
            class: "12".into(),
            reporter: "张三".into(),
            reporter_phone: "0352-1234567".into(),
            ..Bulletin::default()
        };
        assert!(check(&ok, true).is_empty());
        assert!(check(&Bulletin::default(), false).is_empty());
        let codes = |b: &Bulletin, req| -> Vec<String> {
            check(b, req)
                .into_iter()
                .map(|e| format!("{}:{}", e.field, e.code))
                .collect()
        };
        assert_eq!(
            codes(&Bulletin::default(), true),
            [
                "bulletin.unit_name:required",
                "bulletin.reporter:required",
                "bulletin.reporter_phone:required"
            ]
        );
        let bad = Bulletin {
            credit_code: "123".into(),
            ownership: "state_owned".into(),
            class: "21".into(),
            reporter_phone: "12".into(),
            unit_name: "单".repeat(101),
            ..ok
        };
        assert_eq!(
            codes(&bad, true),
            [
                "bulletin.credit_code:bad_credit_code",
                "bulletin.ownership:not_an_option",
                "bulletin.class:not_an_option",
                "bulletin.reporter_phone:bad_phone",
                "bulletin.unit_name:too_long"
            ]
        );
        assert_eq!(GB6441_CLASSES.len(), 20);
        assert_eq!(label(GB6441_CLASSES, "12"), "透水");
    }

    /// The 快报 .docx unzips, is well formed and carries every field from
    /// the record, times in Beijing time with the offset.
    #[test]
    fn the_bulletin_docx_says_everything() {
        use crate::docx::parts::testing::{parts, text_of};
        let at = time::macros::datetime!(2026-03-01 00:30 UTC);
        let a = crate::reports::Accident {
            id: 12,
            name: "某煤矿 <透水> & 被困".into(),
            industry: "coal_mine".into(),
            division: "140213000000".into(),
            occurred_at: at.into(),
            road_or_fire: false,
            deaths: 2,
            missing: 1,
            serious_injuries: 3,
            direct_loss_yuan: 1_234_500,
            grade: crate::reports::grading::AccidentGrade::Larger,
            grade_zh: "较大事故".into(),
            received: vec![],
            skips: vec![],
            notifications: vec![],
            description: "井下透水".into(),
            unit_learned_at: None,
            danger: crate::reports::cadence::Danger {
                trapped: 4,
                ..Default::default()
            },
            larger_danger: vec!["被困或下落不明 5 人（3 人以上）".into()],
            sector_department: None,
            sector_received: vec![],
            followups: vec![],
            settled_at: None,
            regime_facts: Default::default(),
            regime: crate::reports::regimes::Regime::Order493,
            duty_reports: vec![],
            incident_id: None,
            bulletin: Bulletin {
                unit_name: "某煤业有限公司".into(),
                credit_code: "91110000802100433B".into(),
                ownership: "private".into(),
                class: "12".into(),
                place: "3号井".into(),
                possible_casualties: "4 人被困".into(),
                measures: "撤人、排水".into(),
                reporter: "李矿长".into(),
                reporter_phone: "0352-1234567".into(),
            },
            enterprise_id: None,
            created_by: "t".into(),
            created_at: at.into(),
            version: 1,
        };
        let bytes = write(&a, "平城区", at).unwrap();
        let parts = parts(&bytes);
        assert_eq!(parts.len(), 3);
        for (name, xml) in &parts {
            text_of(xml).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let doc = text_of(&parts[2].1).unwrap();
        for want in [
            "生产安全事故快报",
            "SG000012",
            "某煤矿 <透水> & 被困",
            "某煤业有限公司",
            "91110000802100433B",
            "私营",
            "煤矿",
            "12 透水",
            "2026-03-01 08:30:00+08:00",
            "平城区　3号井",
            "死亡 2 人，下落不明 1 人，重伤 3 人；涉险 0 人，被困 4 人，紧急疏散 0 人",
            "4 人被困",
            "123.4500 万元",
            "较大事故；较大涉险事故",
            "井下透水",
            "撤人、排水",
            "李矿长　电话：0352-1234567",
        ] {
            assert!(doc.contains(want), "{want:?} not in {doc}");
        }
        assert!(!doc.contains("Z"), "no UTC strings: {doc}");
    }
}
