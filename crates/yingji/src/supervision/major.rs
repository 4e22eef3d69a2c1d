//! 危险化学品重大危险源 by GB 18218-2018《危险化学品重大危险源辨识》:
//! the critical quantities (临界量 Q) of the named substances (表1) and of
//! the hazard categories (表2), the identification of a unit (4.2: S =
//! Σ q/Q ≥ 1) and its grade (4.3: R = α · Σ β·q/Q with β from 表3/表4 and
//! α from 表5, the grades of 表6).
//!
//! Pure: no SQL, no HTTP. Quantities are kept to the kilogram and the sums
//! are exact fractions, so that a unit exactly at a boundary (S = 1,
//! R = 10, 50, 100) grades as the standard says, not as rounding does.
//!
//! Out of the standard's scope (第1章 范围): nuclear installations, military
//! installations, 采矿业 (except its processing and storage of hazardous
//! chemicals), off-site transport of hazardous chemicals (pipelines among
//! them) and offshore oil and gas: mines, tailings ponds and long-distance
//! pipelines are not graded here (they stay enterprise risks, with the
//! registry's hand-picked level).

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Refusal};

/// A hazard category of 表2 (and its β of 表4).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ChemicalCategory {
    /// 表2's code: J1…J5, W1.1…W11, E1, E2.
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// 临界量 Q, tonnes (表2).
    pub q_t: f64,
    /// β, twice its value (表4; β = 1.5 is 3), so it stays an integer.
    #[serde(skip)]
    pub beta2: i64,
}

const fn cat(
    code: &'static str,
    zh: &'static str,
    en: &'static str,
    q_t: f64,
    beta2: i64,
) -> ChemicalCategory {
    ChemicalCategory {
        code,
        zh,
        en,
        q_t,
        beta2,
    }
}

/// GB 18218-2018 表2 (未在表1中列举的危险化学品类别及其临界量) with the β of
/// 表4 (未在表3中列举的危险化学品校正系数). E1/E2 (危害水生环境) have no
/// β in 表4; 1 is used (docs/rules.md).
pub const CATEGORIES: &[ChemicalCategory] = &[
    cat(
        "J1",
        "急性毒性 类别1，所有暴露途径，气体",
        "Acute toxicity cat. 1, gas",
        5.0,
        8,
    ),
    cat(
        "J2",
        "急性毒性 类别1，所有暴露途径，固体、液体",
        "Acute toxicity cat. 1, solid/liquid",
        50.0,
        2,
    ),
    cat(
        "J3",
        "急性毒性 类别2、类别3，所有暴露途径，气体",
        "Acute toxicity cat. 2–3, gas",
        50.0,
        4,
    ),
    cat(
        "J4",
        "急性毒性 类别2、类别3，吸入途径，液体（沸点≤35℃）",
        "Acute toxicity cat. 2–3, inhalation, liquid (b.p. ≤ 35 °C)",
        50.0,
        4,
    ),
    cat(
        "J5",
        "急性毒性 类别2，所有暴露途径，液体（除J4外）、固体",
        "Acute toxicity cat. 2, liquid (not J4)/solid",
        500.0,
        2,
    ),
    cat("W1.1", "不稳定爆炸物", "Unstable explosives", 1.0, 4),
    cat("W1.2", "1.1项爆炸物", "Explosives, division 1.1", 1.0, 4),
    cat("W1.3", "除1.1项外的其他爆炸物", "Other explosives", 10.0, 4),
    cat(
        "W2",
        "易燃气体 类别1和类别2",
        "Flammable gases cat. 1–2",
        10.0,
        3,
    ),
    cat("W3", "气溶胶 类别1和类别2", "Aerosols cat. 1–2", 150.0, 2),
    cat("W4", "氧化性气体 类别1", "Oxidising gases cat. 1", 50.0, 2),
    cat(
        "W5.1",
        "易燃液体 类别1；类别2和3，工作温度高于沸点",
        "Flammable liquids cat. 1; cat. 2–3 above boiling point",
        10.0,
        3,
    ),
    cat(
        "W5.2",
        "易燃液体 类别2和3，具有引发重大事故的特殊工艺条件",
        "Flammable liquids cat. 2–3 under special process conditions",
        50.0,
        2,
    ),
    cat(
        "W5.3",
        "易燃液体 不属于W5.1或W5.2的其他类别2",
        "Flammable liquids cat. 2 (other)",
        1000.0,
        2,
    ),
    cat(
        "W5.4",
        "易燃液体 不属于W5.1或W5.2的其他类别3",
        "Flammable liquids cat. 3 (other)",
        5000.0,
        2,
    ),
    cat(
        "W6.1",
        "自反应物质和混合物 A型和B型",
        "Self-reactive types A–B",
        10.0,
        3,
    ),
    cat(
        "W6.2",
        "自反应物质和混合物 C型、D型、E型",
        "Self-reactive types C–E",
        50.0,
        2,
    ),
    cat(
        "W7.1",
        "有机过氧化物 A型和B型",
        "Organic peroxides types A–B",
        10.0,
        3,
    ),
    cat(
        "W7.2",
        "有机过氧化物 C型、D型、E型、F型",
        "Organic peroxides types C–F",
        50.0,
        2,
    ),
    cat(
        "W8",
        "自燃液体和自燃固体 类别1",
        "Pyrophoric liquids and solids cat. 1",
        50.0,
        2,
    ),
    cat(
        "W9.1",
        "氧化性固体和液体 类别1",
        "Oxidising solids and liquids cat. 1",
        50.0,
        2,
    ),
    cat(
        "W9.2",
        "氧化性固体和液体 类别2、类别3",
        "Oxidising solids and liquids cat. 2–3",
        200.0,
        2,
    ),
    cat("W10", "易燃固体 类别1", "Flammable solids cat. 1", 200.0, 2),
    cat(
        "W11",
        "遇水放出易燃气体的物质和混合物 类别1和类别2",
        "Water-reactive (flammable gas) cat. 1–2",
        200.0,
        2,
    ),
    cat(
        "E1",
        "危害水生环境 急性类别1、长期类别1",
        "Aquatic hazard acute 1 / chronic 1",
        100.0,
        2,
    ),
    cat(
        "E2",
        "危害水生环境 长期类别2",
        "Aquatic hazard chronic 2",
        200.0,
        2,
    ),
];

/// A named substance of 表1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Substance {
    /// A stable key (pinyin-free English) used by the API.
    pub key: &'static str,
    /// 表1's 序号.
    pub no: u8,
    pub zh: &'static str,
    pub en: &'static str,
    pub cas: &'static str,
    /// 临界量 Q, tonnes (表1).
    pub q_t: f64,
    /// Where β comes from: `T3` (a toxic gas of 表3) or the 表2 category
    /// code whose β (表4) applies.
    pub beta_from: &'static str,
    /// β, twice its value.
    #[serde(skip)]
    pub beta2: i64,
}

#[allow(clippy::too_many_arguments)]
const fn sub(
    key: &'static str,
    no: u8,
    zh: &'static str,
    en: &'static str,
    cas: &'static str,
    q_t: f64,
    beta_from: &'static str,
    beta2: i64,
) -> Substance {
    Substance {
        key,
        no,
        zh,
        en,
        cas,
        q_t,
        beta_from,
        beta2,
    }
}

/// GB 18218-2018 表1 (危险化学品名称及其临界量), the substances commonly
/// held in Datong's chemical, coking, gas and fuel enterprises (not all 85
/// rows). β: 表3 for its toxic gases (一氧化碳 2, 二氧化硫 2, 氨 2, 环氧乙烷
/// 2, 氯化氢 3, 溴甲烷 3, 氯 4, 硫化氢 5, 氟化氢 5, 二氧化氮 10, 氰化氢 10,
/// 碳酰氯 20, 磷化氢 20, 异氰酸甲酯 20), otherwise 表4 by the substance's
/// category in 《危险化学品目录》(2015 版) — that category is this
/// platform's reading, listed in docs/rules.md with the figures checked.
pub const SUBSTANCES: &[Substance] = &[
    sub(
        "ammonia",
        1,
        "氨（液氨）",
        "Ammonia",
        "7664-41-7",
        10.0,
        "T3",
        4,
    ),
    sub(
        "nitrogen_dioxide",
        3,
        "二氧化氮",
        "Nitrogen dioxide",
        "10102-44-0",
        1.0,
        "T3",
        20,
    ),
    sub(
        "sulphur_dioxide",
        4,
        "二氧化硫",
        "Sulphur dioxide",
        "7446-09-5",
        20.0,
        "T3",
        4,
    ),
    sub(
        "phosgene",
        6,
        "碳酰氯（光气）",
        "Phosgene",
        "75-44-5",
        0.3,
        "T3",
        40,
    ),
    sub(
        "ethylene_oxide",
        7,
        "环氧乙烷",
        "Ethylene oxide",
        "75-21-8",
        10.0,
        "T3",
        4,
    ),
    sub(
        "formaldehyde",
        8,
        "甲醛（含量>90%）",
        "Formaldehyde (> 90 %)",
        "50-00-0",
        5.0,
        "J3",
        4,
    ),
    sub(
        "phosphine",
        9,
        "磷化氢",
        "Phosphine",
        "7803-51-2",
        1.0,
        "T3",
        40,
    ),
    sub(
        "hydrogen_sulphide",
        10,
        "硫化氢",
        "Hydrogen sulphide",
        "7783-06-4",
        5.0,
        "T3",
        10,
    ),
    sub(
        "hydrogen_chloride",
        11,
        "氯化氢（无水）",
        "Hydrogen chloride (anhydrous)",
        "7647-01-0",
        20.0,
        "T3",
        6,
    ),
    sub(
        "chlorine",
        12,
        "氯（液氯）",
        "Chlorine",
        "7782-50-5",
        5.0,
        "T3",
        8,
    ),
    sub(
        "coal_gas",
        13,
        "煤气（CO，CO和H₂、CH₄的混合物等）",
        "Coal gas (CO and its mixtures with H₂, CH₄)",
        "",
        20.0,
        "T3",
        4,
    ),
    sub(
        "methyl_bromide",
        17,
        "溴甲烷",
        "Methyl bromide",
        "74-83-9",
        10.0,
        "T3",
        6,
    ),
    sub(
        "hydrogen_fluoride",
        20,
        "氟化氢",
        "Hydrogen fluoride",
        "7664-39-3",
        1.0,
        "T3",
        10,
    ),
    sub(
        "hydrogen_cyanide",
        25,
        "氰化氢",
        "Hydrogen cyanide",
        "74-90-8",
        1.0,
        "T3",
        20,
    ),
    sub(
        "methyl_isocyanate",
        30,
        "异氰酸甲酯",
        "Methyl isocyanate",
        "624-83-9",
        0.75,
        "T3",
        40,
    ),
    sub(
        "tnt",
        35,
        "2,4,6-三硝基甲苯",
        "TNT",
        "118-96-7",
        5.0,
        "W1.2",
        4,
    ),
    sub(
        "nitroglycerine",
        36,
        "硝化甘油",
        "Nitroglycerine",
        "55-63-0",
        1.0,
        "W1.2",
        4,
    ),
    sub(
        "ammonium_nitrate_combustible",
        43,
        "硝酸铵（含可燃物>0.2%）",
        "Ammonium nitrate (> 0.2 % combustibles)",
        "6484-52-2",
        5.0,
        "W1.2",
        4,
    ),
    sub(
        "ammonium_nitrate",
        44,
        "硝酸铵（含可燃物≤0.2%）",
        "Ammonium nitrate (≤ 0.2 % combustibles)",
        "6484-52-2",
        50.0,
        "W9.2",
        2,
    ),
    sub(
        "ammonium_nitrate_fertiliser",
        45,
        "硝酸铵肥料（含可燃物≤0.4%）",
        "Ammonium nitrate fertiliser (≤ 0.4 % combustibles)",
        "",
        200.0,
        "W9.2",
        2,
    ),
    sub(
        "potassium_nitrate",
        46,
        "硝酸钾",
        "Potassium nitrate",
        "7757-79-1",
        1000.0,
        "W9.2",
        2,
    ),
    sub(
        "butadiene",
        47,
        "1,3-丁二烯",
        "1,3-Butadiene",
        "106-99-0",
        5.0,
        "W2",
        3,
    ),
    sub(
        "dimethyl_ether",
        48,
        "二甲醚",
        "Dimethyl ether",
        "115-10-6",
        50.0,
        "W2",
        3,
    ),
    sub(
        "natural_gas",
        49,
        "甲烷，天然气",
        "Methane, natural gas",
        "74-82-8",
        50.0,
        "W2",
        3,
    ),
    sub(
        "vinyl_chloride",
        50,
        "氯乙烯",
        "Vinyl chloride",
        "75-01-4",
        50.0,
        "W2",
        3,
    ),
    sub("hydrogen", 51, "氢", "Hydrogen", "1333-74-0", 5.0, "W2", 3),
    sub(
        "lpg",
        52,
        "液化石油气（含丙烷、丁烷及其混合物）",
        "LPG (propane, butane and mixtures)",
        "68476-85-7",
        50.0,
        "W2",
        3,
    ),
    sub(
        "methylamine",
        53,
        "一甲胺",
        "Methylamine",
        "74-89-5",
        5.0,
        "W2",
        3,
    ),
    sub(
        "acetylene",
        54,
        "乙炔",
        "Acetylene",
        "74-86-2",
        1.0,
        "W2",
        3,
    ),
    sub("ethylene", 55, "乙烯", "Ethylene", "74-85-1", 50.0, "W2", 3),
    sub(
        "oxygen",
        56,
        "氧（压缩的或液化的）",
        "Oxygen (compressed or liquefied)",
        "7782-44-7",
        200.0,
        "W4",
        2,
    ),
    sub("benzene", 57, "苯", "Benzene", "71-43-2", 50.0, "W5.3", 2),
    sub(
        "styrene",
        58,
        "苯乙烯",
        "Styrene",
        "100-42-5",
        500.0,
        "W5.4",
        2,
    ),
    sub(
        "acetone", 59, "丙酮", "Acetone", "67-64-1", 500.0, "W5.3", 2,
    ),
    sub(
        "acrylonitrile",
        60,
        "2-丙烯腈",
        "Acrylonitrile",
        "107-13-1",
        50.0,
        "W5.3",
        2,
    ),
    sub(
        "carbon_disulphide",
        61,
        "二硫化碳",
        "Carbon disulphide",
        "75-15-0",
        50.0,
        "W5.1",
        3,
    ),
    sub(
        "cyclohexane",
        62,
        "环己烷",
        "Cyclohexane",
        "110-82-7",
        500.0,
        "W5.3",
        2,
    ),
    sub(
        "propylene_oxide",
        63,
        "1,2-环氧丙烷",
        "Propylene oxide",
        "75-56-9",
        10.0,
        "W5.1",
        3,
    ),
    sub(
        "toluene", 64, "甲苯", "Toluene", "108-88-3", 500.0, "W5.3", 2,
    ),
    sub(
        "methanol", 65, "甲醇", "Methanol", "67-56-1", 500.0, "W5.3", 2,
    ),
    sub(
        "gasoline",
        66,
        "汽油（乙醇汽油、甲醇汽油）",
        "Gasoline (incl. ethanol and methanol blends)",
        "86290-81-5",
        200.0,
        "W5.3",
        2,
    ),
    sub(
        "ethanol", 67, "乙醇", "Ethanol", "64-17-5", 500.0, "W5.3", 2,
    ),
    sub(
        "diethyl_ether",
        68,
        "乙醚",
        "Diethyl ether",
        "60-29-7",
        10.0,
        "W5.1",
        3,
    ),
    sub(
        "ethyl_acetate",
        69,
        "乙酸乙酯",
        "Ethyl acetate",
        "141-78-6",
        500.0,
        "W5.3",
        2,
    ),
    sub(
        "n_hexane",
        70,
        "正己烷",
        "n-Hexane",
        "110-54-3",
        500.0,
        "W5.3",
        2,
    ),
    sub(
        "white_phosphorus",
        73,
        "白磷",
        "White phosphorus",
        "12185-10-3",
        50.0,
        "W8",
        2,
    ),
    sub(
        "potassium_chlorate",
        78,
        "氯酸钾",
        "Potassium chlorate",
        "3811-04-9",
        100.0,
        "W9.1",
        2,
    ),
    sub(
        "sodium_chlorate",
        79,
        "氯酸钠",
        "Sodium chlorate",
        "7775-09-9",
        100.0,
        "W9.1",
        2,
    ),
    sub(
        "fuming_nitric_acid",
        80,
        "发烟硝酸",
        "Fuming nitric acid",
        "52583-42-3",
        20.0,
        "W9.1",
        2,
    ),
    sub(
        "nitric_acid",
        81,
        "硝酸（发红烟的除外，含硝酸>70%）",
        "Nitric acid (> 70 %, not red fuming)",
        "7697-37-2",
        100.0,
        "W9.2",
        2,
    ),
    sub(
        "calcium_carbide",
        83,
        "碳化钙（电石）",
        "Calcium carbide",
        "75-20-7",
        100.0,
        "W11",
        2,
    ),
    sub(
        "potassium",
        84,
        "钾",
        "Potassium",
        "7440-09-7",
        1.0,
        "W11",
        2,
    ),
    sub("sodium", 85, "钠", "Sodium", "7440-23-5", 10.0, "W11", 2),
];

pub fn substance(key: &str) -> Option<&'static Substance> {
    SUBSTANCES.iter().find(|s| s.key == key)
}

pub fn category(code: &str) -> Option<&'static ChemicalCategory> {
    CATEGORIES.iter().find(|c| c.code == code)
}

/// α by the number of people outside the plant who may be exposed (within
/// 500 m of its boundary), GB 18218-2018 表5: 100 人以上 2.0, 50–99 1.5,
/// 30–49 1.2, 1–29 1.0, 0 0.5. In tenths.
pub fn alpha10(people: i64) -> i64 {
    match people {
        p if p >= 100 => 20,
        p if p >= 50 => 15,
        p if p >= 30 => 12,
        p if p >= 1 => 10,
        _ => 5,
    }
}

/// The four grades of a major hazard source (GB 18218-2018 4.3.5, 表6).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MajorGrade {
    /// 一级 R ≥ 100
    #[serde(rename = "1")]
    First,
    /// 二级 50 ≤ R < 100
    #[serde(rename = "2")]
    Second,
    /// 三级 10 ≤ R < 50
    #[serde(rename = "3")]
    Third,
    /// 四级 R < 10
    #[serde(rename = "4")]
    Fourth,
}

impl MajorGrade {
    pub const ALL: [MajorGrade; 4] = [
        MajorGrade::First,
        MajorGrade::Second,
        MajorGrade::Third,
        MajorGrade::Fourth,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            MajorGrade::First => "1",
            MajorGrade::Second => "2",
            MajorGrade::Third => "3",
            MajorGrade::Fourth => "4",
        }
    }
    pub fn parse(s: &str) -> Option<MajorGrade> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            MajorGrade::First => "一级",
            MajorGrade::Second => "二级",
            MajorGrade::Third => "三级",
            MajorGrade::Fourth => "四级",
        }
    }
}

/// An exact non-negative fraction (numerator, denominator > 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Frac(i128, i128);

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.abs().max(1)
}

impl Frac {
    const ZERO: Frac = Frac(0, 1);
    fn add(self, o: Frac) -> Frac {
        let n = self.0 * o.1 + o.0 * self.1;
        let d = self.1 * o.1;
        let g = gcd(n, d);
        Frac(n / g, d / g)
    }
    fn ge(self, whole: i128) -> bool {
        self.0 >= whole * self.1
    }
    fn f64(self) -> f64 {
        self.0 as f64 / self.1 as f64
    }
}

/// Q in kilograms (every Q of 表1/表2 is a whole number of kg).
fn kg(t: f64) -> i128 {
    (t * 1000.0).round() as i128
}

/// The grade of R given as a fraction (表6): a boundary value belongs to
/// the higher grade (R ≥ 100 is 一级).
fn grade_of(r: Frac) -> MajorGrade {
    if r.ge(100) {
        MajorGrade::First
    } else if r.ge(50) {
        MajorGrade::Second
    } else if r.ge(10) {
        MajorGrade::Third
    } else {
        MajorGrade::Fourth
    }
}

/// One line of a unit: a named substance of 表1 or a category of 表2, and
/// the most that can be present (设计最大量, 4.2.3), in tonnes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Holding {
    /// A key of the 表1 catalogue (`GET /supervision/major-hazards/catalogue`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substance: Option<String>,
    /// A 表2 category code (J1…E2), for a chemical not named in 表1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// What it is, for a 表2 line (e.g. 粗苯); optional for a 表1 line.
    #[serde(default)]
    pub name: String,
    /// The maximum quantity q, tonnes (kept to the kilogram).
    pub q_t: f64,
}

/// A line of the worksheet: what the rule took for it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WorksheetLine {
    pub name: String,
    /// 表1 (with 序号) or 表2 (with the code).
    pub source: String,
    pub q_t: f64,
    pub critical_t: f64,
    pub ratio: f64,
    pub beta: f64,
    /// 表3 or 表4 (with the category).
    pub beta_source: String,
}

/// The identification and grading worksheet of one unit.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Worksheet {
    pub lines: Vec<WorksheetLine>,
    /// S = Σ q/Q (公式 1).
    pub s: f64,
    /// S ≥ 1: a major hazard source (4.2.2).
    pub major: bool,
    pub exposed_people: i64,
    pub alpha: f64,
    /// R = α · Σ β·q/Q (公式 2); 0 when not a major hazard source.
    pub r: f64,
    /// The grade (表6), only for a major hazard source.
    pub grade: Option<MajorGrade>,
}

fn line_error(i: usize, field: &str, code: &'static str, message: &str) -> FieldError {
    FieldError::new(format!("holdings.{i}.{field}"), message).code(code)
}

/// Identify and grade a unit holding `holdings` with `people` exposed
/// outside its plant: GB 18218-2018 4.2 and 4.3. Every bad line is named
/// (`holdings.<i>.<field>`); a substance may appear once.
pub fn grade(holdings: &[Holding], people: i64) -> Result<Worksheet, Vec<FieldError>> {
    let mut errors = Vec::new();
    if holdings.is_empty() {
        errors.push(FieldError::new("holdings", "至少填写一种危险化学品").code("required"));
    }
    if holdings.len() > 100 {
        errors.push(
            FieldError::new("holdings", "最多 100 种")
                .code("too_many")
                .param("max", 100),
        );
    }
    if !(0..=10_000_000).contains(&people) {
        errors.push(
            FieldError::new("exposed_people", "人数应为 0–10000000")
                .code("out_of_range")
                .param("min", 0)
                .param("max", 10_000_000),
        );
    }
    let mut s = Frac::ZERO;
    let mut weighted = Frac::ZERO; // Σ 2β · q/Q
    let mut lines = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (i, h) in holdings.iter().enumerate() {
        if !h.q_t.is_finite() || h.q_t < 0.0 || h.q_t > 10_000_000.0 {
            errors.push(
                line_error(i, "q_t", "out_of_range", "数量应为 0–10000000 吨")
                    .param("min", 0)
                    .param("max", 10_000_000),
            );
            continue;
        }
        let name = h.name.trim();
        if name.chars().count() > 100 {
            errors.push(line_error(i, "name", "too_long", "最多 100 字").param("max", 100));
            continue;
        }
        let (label, source, q_crit, beta2, beta_source, key) =
            match (h.substance.as_deref(), h.category.as_deref()) {
                (Some(k), None) => match substance(k) {
                    Some(x) => {
                        let bs = if x.beta_from == "T3" {
                            "表3".to_string()
                        } else {
                            format!("表4 {}", x.beta_from)
                        };
                        let label = if name.is_empty() {
                            x.zh.to_string()
                        } else {
                            format!("{}（{name}）", x.zh)
                        };
                        (
                            label,
                            format!("表1 第{}项", x.no),
                            x.q_t,
                            x.beta2,
                            bs,
                            format!("s:{k}"),
                        )
                    }
                    None => {
                        errors.push(line_error(
                            i,
                            "substance",
                            "unknown_substance",
                            "不在表1目录中",
                        ));
                        continue;
                    }
                },
                (None, Some(c)) => match category(c) {
                    Some(x) => {
                        if name.is_empty() {
                            errors.push(line_error(i, "name", "required", "请填写物质名称"));
                            continue;
                        }
                        (
                            name.to_string(),
                            format!("表2 {}", x.code),
                            x.q_t,
                            x.beta2,
                            format!("表4 {}", x.code),
                            format!("c:{c}:{name}"),
                        )
                    }
                    None => {
                        errors.push(line_error(
                            i,
                            "category",
                            "unknown_category",
                            "不是表2的类别",
                        ));
                        continue;
                    }
                },
                _ => {
                    errors.push(line_error(
                        i,
                        "substance",
                        "substance_or_category",
                        "请选择表1物质或表2类别（二者选一）",
                    ));
                    continue;
                }
            };
        if seen.contains(&key) {
            errors.push(line_error(
                i,
                "substance",
                "duplicate",
                "同一物质只填一行（数量合计）",
            ));
            continue;
        }
        seen.push(key);
        let q = kg(h.q_t);
        let ratio = Frac(q, kg(q_crit));
        let g = gcd(ratio.0, ratio.1);
        let ratio = Frac(ratio.0 / g, ratio.1 / g);
        s = s.add(ratio);
        weighted = weighted.add(Frac(ratio.0 * beta2 as i128, ratio.1));
        lines.push(WorksheetLine {
            name: label,
            source,
            q_t: q as f64 / 1000.0,
            critical_t: q_crit,
            ratio: ratio.f64(),
            beta: beta2 as f64 / 2.0,
            beta_source,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let a10 = alpha10(people);
    // R = α · Σ β q/Q = (α10 / 10) · (Σ 2β q/Q) / 2.
    let r = Frac(weighted.0 * a10 as i128, weighted.1 * 20);
    let major = s.ge(1);
    Ok(Worksheet {
        lines,
        s: s.f64(),
        major,
        exposed_people: people,
        alpha: a10 as f64 / 10.0,
        r: if major { r.f64() } else { 0.0 },
        grade: major.then(|| grade_of(r)),
    })
}

/// A unit's kind (GB 18218-2018 3.4 生产单元, 3.5 储存单元).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 生产单元: 危险化学品的生产、加工及使用等的装置及设施，当装置及设施
    /// 之间有切断阀时，以切断阀作为分隔界限划分为独立的单元。
    Production,
    /// 储存单元: 用于储存危险化学品的储罐或仓库组成的相对独立的区域，储罐
    /// 区以罐区防火堤为界限划分为独立的单元，仓库以独立库房（独立建筑物）
    /// 为界限划分为独立的单元。
    Storage,
}

impl UnitKind {
    pub const ALL: [UnitKind; 2] = [UnitKind::Production, UnitKind::Storage];
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Production => "production",
            UnitKind::Storage => "storage",
        }
    }
    pub fn parse(s: &str) -> Option<UnitKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            UnitKind::Production => "生产单元",
            UnitKind::Storage => "储存单元",
        }
    }
}

/// Industries of the registry outside GB 18218 (第1章 c: 采矿业) except
/// their storage of hazardous chemicals (e.g. an explosives magazine).
pub const MINING: [&str; 2] = ["coal_mine", "non_coal_mine"];

/// Registry hazard-source classes the standard does not cover (尾矿库,
/// 长输管道 — 第1章 d, 矿井 — 第1章 c): a unit is never linked to them.
pub const OUTSIDE_CLASSES: [&str; 3] = ["tailings_pond", "pipeline", "mine_shaft"];

/// Whether a unit of `kind` may be kept for an enterprise of `industry`
/// (None: yes; Some: the refusal).
pub fn in_scope(industry: &str, kind: UnitKind) -> Option<Refusal> {
    (MINING.contains(&industry) && kind == UnitKind::Production).then(|| {
        Refusal::new(
            "outside_gb18218",
            "GB 18218-2018 不适用于采矿业（其危险化学品储存除外），矿山、尾矿库不按本标准辨识分级",
        )
        .param("industry", industry.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(key: &str, q: f64) -> Holding {
        Holding {
            substance: Some(key.into()),
            category: None,
            name: String::new(),
            q_t: q,
        }
    }
    fn c(code: &str, name: &str, q: f64) -> Holding {
        Holding {
            substance: None,
            category: Some(code.into()),
            name: name.into(),
            q_t: q,
        }
    }

    #[test]
    fn alpha_at_every_boundary_of_table_5() {
        for (people, a10) in [
            (0, 5),
            (1, 10),
            (29, 10),
            (30, 12),
            (49, 12),
            (50, 15),
            (99, 15),
            (100, 20),
            (100_000, 20),
        ] {
            assert_eq!(alpha10(people), a10, "{people}");
        }
    }

    #[test]
    fn the_catalogue_figures_of_the_usual_substances() {
        // (key, Q t, β) — GB 18218-2018 表1, 表3, 表4.
        for (key, q, beta) in [
            ("chlorine", 5.0, 4.0),
            ("ammonia", 10.0, 2.0),
            ("methanol", 500.0, 1.0),
            ("gasoline", 200.0, 1.0),
            ("natural_gas", 50.0, 1.5),
            ("lpg", 50.0, 1.5),
            ("hydrogen_sulphide", 5.0, 5.0),
            ("vinyl_chloride", 50.0, 1.5),
            ("benzene", 50.0, 1.0),
            ("ammonium_nitrate_combustible", 5.0, 2.0),
            ("ammonium_nitrate", 50.0, 1.0),
            ("ammonium_nitrate_fertiliser", 200.0, 1.0),
            ("hydrogen", 5.0, 1.5),
            ("phosgene", 0.3, 20.0),
            ("coal_gas", 20.0, 2.0),
        ] {
            let x = substance(key).unwrap();
            assert_eq!((x.q_t, x.beta2 as f64 / 2.0), (q, beta), "{key}");
        }
        // Keys and 序号 are unique; every β category exists in 表2.
        for (i, a) in SUBSTANCES.iter().enumerate() {
            for b in &SUBSTANCES[i + 1..] {
                assert!(a.key != b.key && a.no != b.no, "{} / {}", a.key, b.key);
            }
            assert!(
                a.beta_from == "T3" || category(a.beta_from).is_some(),
                "{}",
                a.key
            );
            if a.beta_from != "T3" {
                assert_eq!(category(a.beta_from).unwrap().beta2, a.beta2, "{}", a.key);
            }
        }
    }

    #[test]
    fn identification_at_s_equal_one() {
        // (holdings, people, major, S)
        let cases: Vec<(Vec<Holding>, bool, f64)> = vec![
            (vec![s("chlorine", 4.999)], false, 0.9998),
            (vec![s("chlorine", 5.0)], true, 1.0),
            // 2.5/5 + 250/500 = 1: several substances are added (公式 1).
            (vec![s("chlorine", 2.5), s("methanol", 250.0)], true, 1.0),
            (
                vec![s("chlorine", 2.5), s("methanol", 249.999)],
                false,
                0.999998,
            ),
            // 0.1/0.3 + 0.5/0.75 = 1/3 + 2/3 = 1 exactly, never 0.999….
            (
                vec![s("phosgene", 0.1), s("methyl_isocyanate", 0.5)],
                true,
                1.0,
            ),
            (vec![c("W5.3", "粗苯", 999.0)], false, 0.999),
            (vec![c("W5.3", "粗苯", 1000.0)], true, 1.0),
            (vec![s("gasoline", 0.0)], false, 0.0),
        ];
        for (h, major, sv) in cases {
            let w = grade(&h, 10).unwrap();
            assert_eq!(w.major, major, "{h:?}");
            assert!((w.s - sv).abs() < 1e-4, "{h:?}: {}", w.s);
            assert_eq!(w.grade.is_some(), major);
        }
    }

    #[test]
    fn grades_at_every_boundary_of_table_6() {
        // Methanol: Q = 500 t, β = 1; with 1–29 people α = 1, R = q/500.
        // (q t, people, R, grade)
        for (q, people, r, g) in [
            (500.0, 1, 1.0, MajorGrade::Fourth),
            (4_999.999, 1, 9.999998, MajorGrade::Fourth),
            (5_000.0, 1, 10.0, MajorGrade::Third),
            (24_999.999, 1, 49.999998, MajorGrade::Third),
            (25_000.0, 1, 50.0, MajorGrade::Second),
            (49_999.999, 1, 99.999998, MajorGrade::Second),
            (50_000.0, 1, 100.0, MajorGrade::First),
            // α = 2 (≥ 100 people) doubles R: 25 000 t → 100, 一级.
            (25_000.0, 100, 100.0, MajorGrade::First),
            (25_000.0, 99, 75.0, MajorGrade::Second),
            // α = 0.5 (nobody outside): 10 000 t → R = 10.
            (10_000.0, 0, 10.0, MajorGrade::Third),
            (9_999.999, 0, 9.999999, MajorGrade::Fourth),
        ] {
            let w = grade(&[s("methanol", q)], people).unwrap();
            assert!((w.r - r).abs() < 1e-6, "{q} {people}: {}", w.r);
            assert_eq!(w.grade, Some(g), "{q} {people}");
        }
    }

    #[test]
    fn worked_examples() {
        // 液氯 50 t, 60 people: R = 1.5 × 4 × 50/5 = 60 → 二级.
        let w = grade(&[s("chlorine", 50.0)], 60).unwrap();
        assert_eq!((w.r, w.grade), (60.0, Some(MajorGrade::Second)));
        // 二氧化硫 200 t, 60 people: R = 1.5 × 2 × 200/20 = 30 → 三级 (the
        // 注册安全工程师 exam's example).
        let w = grade(&[s("sulphur_dioxide", 200.0)], 60).unwrap();
        assert_eq!((w.r, w.grade), (30.0, Some(MajorGrade::Third)));
        // A tank farm: LPG 100 t (β 1.5) + gasoline 300 t (β 1), 35 people
        // (α 1.2): S = 2 + 1.5 = 3.5; R = 1.2 × (3 + 1.5) = 5.4 → 四级.
        let w = grade(&[s("lpg", 100.0), s("gasoline", 300.0)], 35).unwrap();
        assert!(
            (w.s - 3.5).abs() < 1e-12 && (w.r - 5.4).abs() < 1e-9,
            "{w:?}"
        );
        assert_eq!(w.grade, Some(MajorGrade::Fourth));
        assert_eq!(w.lines[0].beta_source, "表4 W2");
        // Not a major hazard source: no R, no grade.
        let w = grade(&[s("ammonia", 9.0)], 500).unwrap();
        assert_eq!((w.major, w.r, w.grade), (false, 0.0, None));
    }

    #[test]
    fn bad_lines_are_named() {
        let e = grade(
            &[
                s("unobtainium", 1.0),
                c("W99", "x", 1.0),
                c("W2", " ", 1.0),
                s("chlorine", -1.0),
                Holding {
                    substance: Some("chlorine".into()),
                    category: Some("W2".into()),
                    name: String::new(),
                    q_t: 1.0,
                },
                s("ammonia", 1.0),
                s("ammonia", 2.0),
            ],
            -1,
        )
        .unwrap_err();
        let fields: Vec<(&str, &str)> = e.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            vec![
                ("exposed_people", "out_of_range"),
                ("holdings.0.substance", "unknown_substance"),
                ("holdings.1.category", "unknown_category"),
                ("holdings.2.name", "required"),
                ("holdings.3.q_t", "out_of_range"),
                ("holdings.4.substance", "substance_or_category"),
                ("holdings.6.substance", "duplicate"),
            ]
        );
        assert_eq!(grade(&[], 0).unwrap_err()[0].field, "holdings");
    }

    #[test]
    fn mines_are_outside_the_standard_except_their_storage() {
        assert!(in_scope("coal_mine", UnitKind::Production).is_some());
        assert!(in_scope("non_coal_mine", UnitKind::Production).is_some());
        assert!(in_scope("coal_mine", UnitKind::Storage).is_none());
        assert!(in_scope("hazmat", UnitKind::Production).is_none());
    }
}
