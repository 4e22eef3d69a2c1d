//! The generic registry mechanism (Sahana Eden's idea, typed): every kind of
//! located record — teams, experts, equipment, warehouses, shelters,
//! enterprises, hazard sources, monitoring points — is described by a
//! [`KindSpec`] (its fields and its cross-field rules), and gets listing with
//! filters, a GeoJSON map layer, CSV/XLSX import and export, validation and
//! audit from this one module. No handler is copied per kind.

pub mod api;
pub mod io;
pub mod store;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::divisions::{Code, Tree};
use crate::error::FieldError;

/// A choice in an enumerated field.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Opt {
    pub value: String,
    pub label_zh: String,
    pub label_en: String,
}

/// Field types a registry field can have.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldType {
    Text {
        max: usize,
    },
    Int {
        min: i64,
        max: i64,
    },
    Float {
        min: f64,
        max: f64,
    },
    /// One of a fixed list.
    Enum(&'static [(&'static str, &'static str, &'static str)]),
    /// One of a configurable dictionary (table `dictionaries`).
    Dict(&'static str),
    Phone,
    Division,
    Lon,
    Lat,
    /// Several short texts (separated by `;`, `；`, `、` or `,` in files).
    List,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldSpec {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub ty: FieldType,
    pub required: bool,
}

/// A kind of registry record.
#[derive(Debug)]
pub struct KindSpec {
    pub kind: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// Kind-specific fields (stored in `attrs`).
    pub fields: &'static [FieldSpec],
    /// The attr whose value is the record's category (for filters and map styling).
    pub category: Option<&'static str>,
    /// Cross-field rules; may also fill derived attrs.
    pub check: fn(&mut Map<String, Value>, &Ctx) -> Vec<FieldError>,
    /// How a file import is journaled.
    pub import_journal: ImportJournal,
    /// Keys (common or attr) of the fields that are personal data: shown
    /// masked to a reader without [`crate::auth::Action::ReadPersonal`],
    /// exported in clear only with [`crate::auth::Action::ExportPersonal`]
    /// (and then journaled).
    pub personal: &'static [&'static str],
    /// Records of the kind are places (a map layer). A kind that is not
    /// (contacts) may leave longitude and latitude empty: the record is put
    /// at an inner point of its division, and no map layer shows it.
    pub located: bool,
}

/// How a file import of a kind is journaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportJournal {
    /// One `imported` entry per record, carrying the record (most kinds:
    /// a few hundred records, each worth its own audit line).
    PerRecord,
    /// One `imported` entry per file: name, SHA-256, row count, id range,
    /// importer. For kinds that hold personal data in bulk (subscribers'
    /// phone numbers, population points): the audit trail says who loaded
    /// which file without copying a million phone numbers into the journal.
    PerFile,
}

pub const STATUS: &[(&str, &str, &str)] = &[
    ("available", "可用", "Available"),
    ("dispatched", "出动中", "Dispatched"),
    ("maintenance", "维护", "Maintenance"),
    ("inactive", "停用", "Inactive"),
];

/// Fields every record has.
pub const COMMON: &[FieldSpec] = &COMMON_FIELDS;

/// [`COMMON`] of a kind that is not located: longitude and latitude optional.
const COMMON_UNLOCATED: [FieldSpec; COMMON_FIELDS.len()] = unlocated(COMMON_FIELDS);

const fn unlocated(
    mut fields: [FieldSpec; COMMON_FIELDS.len()],
) -> [FieldSpec; COMMON_FIELDS.len()] {
    let mut i = 0;
    while i < fields.len() {
        if matches!(fields[i].ty, FieldType::Lon | FieldType::Lat) {
            fields[i].required = false;
        }
        i += 1;
    }
    fields
}

const COMMON_FIELDS: [FieldSpec; 9] = [
    FieldSpec {
        key: "name",
        zh: "名称",
        en: "Name",
        ty: FieldType::Text { max: 100 },
        required: true,
    },
    FieldSpec {
        key: "division",
        zh: "行政区划",
        en: "Division",
        ty: FieldType::Division,
        required: true,
    },
    FieldSpec {
        key: "lon",
        zh: "经度",
        en: "Longitude",
        ty: FieldType::Lon,
        required: true,
    },
    FieldSpec {
        key: "lat",
        zh: "纬度",
        en: "Latitude",
        ty: FieldType::Lat,
        required: true,
    },
    FieldSpec {
        key: "address",
        zh: "地址",
        en: "Address",
        ty: FieldType::Text { max: 200 },
        required: false,
    },
    FieldSpec {
        key: "responsible",
        zh: "负责人",
        en: "Person in charge",
        ty: FieldType::Text { max: 50 },
        required: false,
    },
    FieldSpec {
        key: "phone",
        zh: "联系电话",
        en: "Phone",
        ty: FieldType::Phone,
        required: false,
    },
    FieldSpec {
        key: "duty_phone",
        zh: "值班电话",
        en: "Duty phone",
        ty: FieldType::Phone,
        required: false,
    },
    FieldSpec {
        key: "status",
        zh: "状态",
        en: "Status",
        ty: FieldType::Enum(STATUS),
        required: false,
    },
];

/// A read-only column in exports, ignored on import.
pub const DIVISION_NAME: (&str, &str, &str) = ("division_name", "区划名称", "Division name");

/// Dictionaries by name, loaded from the database.
pub type Dictionaries = HashMap<String, Vec<Opt>>;

impl KindSpec {
    pub fn all_fields(&self) -> impl Iterator<Item = &FieldSpec> {
        let common: &'static [FieldSpec] = if self.located {
            COMMON
        } else {
            &COMMON_UNLOCATED
        };
        common.iter().chain(self.fields.iter())
    }

    /// Find a field by key, Chinese label or English label (for file headers).
    pub fn field_by_header(&self, header: &str) -> Option<&FieldSpec> {
        let h = header
            .trim()
            .trim_start_matches('\u{feff}')
            .trim_end_matches('*')
            .trim();
        self.all_fields()
            .find(|f| f.key == h || f.zh == h || f.en.eq_ignore_ascii_case(h))
    }
}

/// A record that passed validation, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Valid {
    pub name: String,
    pub division: Code,
    pub lon: f64,
    pub lat: f64,
    pub address: String,
    pub responsible: String,
    pub phone: String,
    pub duty_phone: String,
    pub status: String,
    pub category: String,
    pub attrs: Map<String, Value>,
}

/// A boundary (the code it belongs to) prepared for fast point tests.
type PreparedBoundary = (Code, Rc<yingji_geo::PreparedArea>);

/// Caches that make validating many rows cheap (a file import): division
/// inputs resolved once per distinct text, and each boundary prepared once
/// for fast point-in-polygon tests.
#[derive(Default)]
pub struct Aids {
    resolved: RefCell<HashMap<String, Result<Code, String>>>,
    prepared: RefCell<HashMap<Code, Option<PreparedBoundary>>>,
}

impl Aids {
    fn resolve(&self, tree: &Tree, input: &str, scope: &Code) -> Result<Code, String> {
        if let Some(r) = self.resolved.borrow().get(input) {
            return r.clone();
        }
        let r = tree.resolve(input, scope);
        self.resolved
            .borrow_mut()
            .insert(input.to_string(), r.clone());
        r
    }

    /// As [`Tree::contains_point`]: a point inside the prepared boundary is
    /// answered at once; anything else goes to the exact test with the
    /// border tolerance.
    fn contains_point(&self, tree: &Tree, code: &Code, lon: f64, lat: f64) -> Option<bool> {
        let hit = self.prepared.borrow().get(code).cloned();
        let prepared = match hit {
            Some(p) => p,
            None => {
                let p = tree
                    .boundary_for(code)
                    .map(|(b, mp)| (b, Rc::new(yingji_geo::PreparedArea::from_multipolygon(&mp))));
                self.prepared.borrow_mut().insert(code.clone(), p.clone());
                p
            }
        };
        let (b, area) = prepared?;
        if area.contains(lon, lat) {
            return Some(true);
        }
        tree.contains_point(&b, lon, lat)
    }
}

/// What validation needs besides the input.
pub struct Ctx<'a> {
    pub tree: &'a Tree,
    pub dicts: &'a Dictionaries,
    /// The writer's jurisdiction: the division must lie inside it.
    pub scope: &'a crate::auth::Scope,
    /// Root for name lookups of divisions.
    pub scope_code: &'a Code,
    /// Non-public webhook destinations the configuration allows
    /// (`[warnings.channels.webhook] allow`).
    pub webhook_allow: &'a yingji_channels::AllowList,
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        }
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().filter_map(text_of).collect();
            (!parts.is_empty()).then(|| parts.join(";"))
        }
        Value::Object(_) => Some(v.to_string()),
    }
}

fn number_of(v: &Value) -> Result<Option<f64>, ()> {
    match v {
        Value::Number(n) => n.as_f64().map(Some).ok_or(()),
        other => match text_of(other) {
            None => Ok(None),
            Some(s) => s
                .replace([',', '，'], "")
                .parse::<f64>()
                .map(Some)
                .map_err(|_| ()),
        },
    }
}

/// Phone numbers: mobile, landline with area code, hotlines; digits with
/// `+ - ( )`, spaces and an optional extension.
pub fn valid_phone(s: &str) -> bool {
    let digits = s.chars().filter(|c| c.is_ascii_digit()).count();
    (5..=20).contains(&digits)
        && s.chars()
            .all(|c| c.is_ascii_digit() || "+-() 转#".contains(c))
}

/// Validate one field's value. Returns the normalised JSON value (or Null).
pub fn check_field(
    f: &FieldSpec,
    raw: Option<&Value>,
    dicts: &Dictionaries,
) -> Result<Value, FieldError> {
    let key = f.key;
    let raw = raw.unwrap_or(&Value::Null);
    let missing = text_of(raw).is_none();
    if missing {
        return if f.required {
            Err(FieldError::required(key))
        } else {
            Ok(Value::Null)
        };
    }
    let text = text_of(raw).unwrap_or_default();
    match f.ty {
        FieldType::Text { max } => {
            if text.chars().count() > max {
                return Err(FieldError::new(key, format!("最多 {max} 个字"))
                    .code("too_long")
                    .param("max", max));
            }
            if text.chars().any(|c| c.is_control()) {
                return Err(FieldError::new(key, "含有不可见控制字符").code("control_chars"));
            }
            Ok(Value::String(text))
        }
        FieldType::Int { min, max } => {
            let n = number_of(raw)
                .map_err(|_| {
                    FieldError::new(key, format!("应为整数，收到“{text}”"))
                        .code("not_integer")
                        .param("value", text.as_str())
                })?
                .unwrap_or(0.0);
            if n.fract() != 0.0 {
                return Err(FieldError::new(key, format!("应为整数，收到“{text}”"))
                    .code("not_integer")
                    .param("value", text.as_str()));
            }
            if n < min as f64 || n > max as f64 {
                return Err(FieldError::new(key, format!("应在 {min} 到 {max} 之间"))
                    .code("out_of_range")
                    .param("min", min)
                    .param("max", max));
            }
            Ok(Value::from(n as i64))
        }
        FieldType::Float { .. } | FieldType::Lon | FieldType::Lat => {
            let (min, max) = match f.ty {
                FieldType::Lon => (-180.0, 180.0),
                FieldType::Lat => (-90.0, 90.0),
                FieldType::Float { min, max } => (min, max),
                _ => (f64::MIN, f64::MAX),
            };
            let n = number_of(raw)
                .map_err(|_| {
                    FieldError::new(key, format!("应为数字，收到“{text}”"))
                        .code("not_number")
                        .param("value", text.as_str())
                })?
                .unwrap_or(0.0);
            if !n.is_finite() || n < min || n > max {
                return Err(
                    FieldError::new(key, format!("应在 {min} 到 {max} 之间，收到 {text}"))
                        .code("out_of_range")
                        .param("min", min)
                        .param("max", max),
                );
            }
            Ok(serde_json::Number::from_f64(n)
                .map(Value::Number)
                .unwrap_or(Value::Null))
        }
        FieldType::Enum(opts) => opts
            .iter()
            .find(|(v, zh, en)| *v == text || *zh == text || en.eq_ignore_ascii_case(&text))
            .map(|(v, _, _)| Value::String((*v).to_string()))
            .ok_or_else(|| {
                let names: Vec<&str> = opts.iter().map(|o| o.1).collect();
                let en: Vec<&str> = opts.iter().map(|o| o.2).collect();
                FieldError::new(
                    key,
                    format!("“{text}”不是可选值（可选：{}）", names.join("、")),
                )
                .code("not_an_option")
                .param("value", text.as_str())
                .param("options", en.join(", "))
            }),
        FieldType::Dict(d) => {
            let opts = dicts.get(d).map(Vec::as_slice).unwrap_or(&[]);
            opts.iter()
                .find(|o| {
                    o.value == text || o.label_zh == text || o.label_en.eq_ignore_ascii_case(&text)
                })
                .map(|o| Value::String(o.value.clone()))
                .ok_or_else(|| {
                    let names: Vec<&str> = opts.iter().map(|o| o.label_zh.as_str()).collect();
                    let en: Vec<&str> = opts.iter().map(|o| o.label_en.as_str()).collect();
                    FieldError::new(
                        key,
                        format!("“{text}”不在字典中（可选：{}）", names.join("、")),
                    )
                    .code("not_an_option")
                    .param("value", text.as_str())
                    .param("options", en.join(", "))
                })
        }
        FieldType::Phone => {
            if valid_phone(&text) {
                Ok(Value::String(text))
            } else {
                Err(FieldError::new(key, format!("“{text}”不是有效的电话号码"))
                    .code("not_phone")
                    .param("value", text.as_str()))
            }
        }
        FieldType::Division => Ok(Value::String(text)),
        FieldType::List => {
            let items: Vec<Value> = match raw {
                Value::Array(a) => a.iter().filter_map(text_of).map(Value::String).collect(),
                _ => text
                    .split([';', '；', '、', ','])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_string()))
                    .collect(),
            };
            if items
                .iter()
                .any(|v| v.as_str().is_some_and(|s| s.chars().count() > 100))
            {
                return Err(FieldError::new(key, "每项最多 100 个字")
                    .code("item_too_long")
                    .param("max", 100));
            }
            Ok(Value::Array(items))
        }
    }
}

/// Validate a flat map of `key → value` (common fields and attrs side by
/// side) against a kind. Returns every problem at once.
pub fn validate(
    spec: &KindSpec,
    input: &Map<String, Value>,
    ctx: &Ctx,
) -> Result<Valid, Vec<FieldError>> {
    validate_with(spec, input, ctx, None)
}

/// [`validate`], with the caches of a many-row import.
pub fn validate_with(
    spec: &KindSpec,
    input: &Map<String, Value>,
    ctx: &Ctx,
    aids: Option<&Aids>,
) -> Result<Valid, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut vals: HashMap<&str, Value> = HashMap::new();
    for f in spec.all_fields() {
        match check_field(f, input.get(f.key), ctx.dicts) {
            Ok(v) => {
                vals.insert(f.key, v);
            }
            Err(e) => errors.push(e),
        }
    }
    for k in input.keys() {
        if k != "attrs"
            && k != "version"
            && k != "id"
            && k != DIVISION_NAME.0
            && !spec.all_fields().any(|f| f.key == k)
        {
            errors.push(FieldError::new(k.as_str(), "未知字段").code("unknown_field"));
        }
    }
    let s = |k: &str| {
        vals.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let division = match vals.get("division").and_then(Value::as_str) {
        Some(d) => match aids.map_or_else(
            || ctx.tree.resolve(d, ctx.scope_code),
            |a| a.resolve(ctx.tree, d, ctx.scope_code),
        ) {
            Ok(c) if !ctx.scope.covers(c.as_str(), "") && ctx.scope.org.is_none() => {
                errors.push(
                    FieldError::new(
                        "division",
                        format!("{}（{c}）不在您的管辖范围内", ctx.tree.name(c.as_str())),
                    )
                    .code("out_of_jurisdiction"),
                );
                None
            }
            Ok(c) if !c.is_within(ctx.scope_code) && ctx.scope.org.is_some() => {
                errors.push(
                    FieldError::new("division", "不在您的管辖范围内").code("out_of_jurisdiction"),
                );
                None
            }
            Ok(c) => Some(c),
            Err(m) => {
                errors.push(FieldError::new("division", m).code("bad_division"));
                None
            }
        },
        None => None,
    };
    let mut lon = vals.get("lon").and_then(Value::as_f64);
    let mut lat = vals.get("lat").and_then(Value::as_f64);
    if let (false, Some(c), None, None) = (spec.located, &division, lon, lat) {
        // Not a place: put at an inner point of its division (nearest
        // division with a boundary).
        if let Some([x, y]) = ctx.tree.inner_point(c) {
            (lon, lat) = (Some(x), Some(y));
        }
    } else if let (Some(c), Some(lon), Some(lat)) = (&division, lon, lat) {
        let inside = match aids {
            Some(a) => a.contains_point(ctx.tree, c, lon, lat),
            None => ctx.tree.contains_point(c, lon, lat),
        };
        if inside == Some(false) {
            errors.push(
                FieldError::new(
                    "lat",
                    format!("坐标 ({lon}, {lat}) 不在{}范围内（请检查经纬度是否填反或使用了 GCJ-02/BD-09 坐标）", ctx.tree.name(c.as_str())),
                )
                .code("point_outside_division")
                .param("lon", lon)
                .param("lat", lat),
            );
        }
    }
    if !spec.located && lon.is_some() != lat.is_some() {
        errors.push(FieldError::required(if lon.is_none() {
            "lon"
        } else {
            "lat"
        }));
    }
    let mut attrs = Map::new();
    for f in spec.fields {
        if let Some(v) = vals.get(f.key) {
            if !v.is_null() {
                attrs.insert(f.key.to_string(), v.clone());
            }
        }
    }
    if errors.is_empty() {
        errors.extend((spec.check)(&mut attrs, ctx));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(division), Some(lon), Some(lat)) = (division, lon, lat) else {
        return Err(vec![FieldError::required("division")]);
    };
    let status = match s("status") {
        x if x.is_empty() => "available".to_string(),
        x => x,
    };
    let category = spec
        .category
        .and_then(|k| attrs.get(k))
        .and_then(text_of)
        .unwrap_or_default();
    Ok(Valid {
        name: s("name"),
        division,
        lon,
        lat,
        address: s("address"),
        responsible: s("responsible"),
        phone: s("phone"),
        duty_phone: s("duty_phone"),
        status,
        category,
        attrs,
    })
}

/// Flatten an API body `{common…, attrs: {…}}` into one map.
pub fn flatten_body(mut body: Map<String, Value>) -> Map<String, Value> {
    if let Some(Value::Object(attrs)) = body.remove("attrs") {
        for (k, v) in attrs {
            body.entry(k).or_insert(v);
        }
    }
    body
}

/// A stored record as the API shows it.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema, sqlx::FromRow)]
pub struct Item {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub division: String,
    /// Not stored: the division's name from the current tree.
    #[sqlx(skip)]
    pub division_name: String,
    pub lon: f64,
    pub lat: f64,
    pub address: String,
    pub responsible: String,
    pub phone: String,
    pub duty_phone: String,
    pub status: String,
    pub category: String,
    #[schema(value_type = Object)]
    pub attrs: crate::db::JsonText<Map<String, Value>>,
    pub version: i64,
    pub updated_at: crate::db::UtcText,
    #[serde(skip)]
    pub org: String,
}

impl Item {
    /// This item with the checked values `v` of an edit, owned by `org`,
    /// changed at `now` (still at the version it was read at, for
    /// `Change::save`).
    pub fn edited(mut self, v: &Valid, org: String, now: time::OffsetDateTime) -> Item {
        self.name = v.name.clone();
        self.division = v.division.as_str().to_string();
        self.org = org;
        self.lon = v.lon;
        self.lat = v.lat;
        self.address = v.address.clone();
        self.responsible = v.responsible.clone();
        self.phone = v.phone.clone();
        self.duty_phone = v.duty_phone.clone();
        self.status = v.status.clone();
        self.category = v.category.clone();
        self.attrs = crate::db::JsonText(v.attrs.clone());
        self.updated_at = crate::db::UtcText(now);
        self
    }

    /// The value of a field by key (common or attr), for exports.
    pub fn value(&self, key: &str) -> Value {
        match key {
            "name" => self.name.clone().into(),
            "division" => self.division.clone().into(),
            "division_name" => self.division_name.clone().into(),
            "lon" => self.lon.into(),
            "lat" => self.lat.into(),
            "address" => self.address.clone().into(),
            "responsible" => self.responsible.clone().into(),
            "phone" => self.phone.clone().into(),
            "duty_phone" => self.duty_phone.clone().into(),
            "status" => self.status.clone().into(),
            k => self.attrs.get(k).cloned().unwrap_or(Value::Null),
        }
    }
}

/// A personal-data value as shown to a reader without the right to see it:
/// phone numbers keep their first 3 and last 4 digits (`138****1234`),
/// e-mails their first character and domain (`z***@example.com`), other
/// text its first character (`张**`). Empty stays empty, so the shape of the
/// record (and the UI reading it) does not change.
pub fn mask(v: &Value) -> Value {
    match v {
        Value::Null => Value::Null,
        Value::String(s) if s.is_empty() => Value::String(String::new()),
        Value::String(s) => Value::String(mask_text(s)),
        Value::Array(a) => Value::Array(a.iter().map(mask).collect()),
        Value::Number(_) | Value::Bool(_) | Value::Object(_) => Value::String("***".into()),
    }
}

fn mask_text(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    if let Some((user, domain)) = s.trim().split_once('@') {
        let first: String = user.chars().take(1).collect();
        return format!("{first}***@{domain}");
    }
    if valid_phone(s) {
        let digits: Vec<char> = chars.iter().copied().filter(char::is_ascii_digit).collect();
        if digits.len() >= 11 {
            let head: String = digits[..3].iter().collect();
            let tail: String = digits[digits.len() - 4..].iter().collect();
            return format!("{head}****{tail}");
        }
        let tail: String = digits[digits.len().saturating_sub(2)..].iter().collect();
        return format!("****{tail}");
    }
    match chars.first() {
        Some(c) => format!("{c}**"),
        None => String::new(),
    }
}

impl Item {
    /// Mask the kind's personal-data fields (see [`mask`]).
    pub fn mask_personal(&mut self, spec: &KindSpec) {
        for key in spec.personal {
            let slot = match *key {
                "name" => &mut self.name,
                "address" => &mut self.address,
                "responsible" => &mut self.responsible,
                "phone" => &mut self.phone,
                "duty_phone" => &mut self.duty_phone,
                k => {
                    if let Some(v) = self.attrs.get_mut(k) {
                        *v = mask(v);
                    }
                    continue;
                }
            };
            if !slot.is_empty() {
                *slot = mask_text(slot);
            }
        }
    }
}

/// What `p` may see of `items` (records of `spec`, already inside `p`'s
/// read scope): personal-data fields stay in clear on the records `p` has
/// [`Action::ReadPersonal`](crate::auth::Action::ReadPersonal) on and are
/// masked on the others. Every path that shows registry records (list,
/// detail, map layer, export, dispatch) goes through here.
pub fn redact_for(p: &crate::auth::Principal, spec: &KindSpec, items: &mut [Item]) {
    redact_with(p, spec, crate::auth::Action::ReadPersonal, items);
}

/// [`redact_for`] with the right asked for (`ReadPersonal` to show,
/// `ExportPersonal` to export). Returns how many records kept personal data
/// in clear.
pub fn redact_with(
    p: &crate::auth::Principal,
    spec: &KindSpec,
    action: crate::auth::Action,
    items: &mut [Item],
) -> usize {
    if spec.personal.is_empty() {
        return 0;
    }
    let right = crate::auth::authorize(p, action, &format!("registry.{}", spec.kind)).ok();
    let mut clear = 0;
    for it in items {
        if right
            .as_ref()
            .is_some_and(|s| s.covers(&it.division, &it.org))
        {
            clear += 1;
        } else {
            it.mask_personal(spec);
        }
    }
    clear
}

/// A registry journal entry's payload (module `registry`, of kind `spec`) as
/// `p` may see it: the entry carries the record (created, updated, deleted,
/// imported per record), so its personal-data fields are masked unless `p`
/// may read that kind in clear where the entry belongs.
pub fn redact_journal(
    p: &crate::auth::Principal,
    spec: &KindSpec,
    jurisdiction: &str,
    payload: &mut Value,
) {
    if spec.personal.is_empty() {
        return;
    }
    let clear = crate::auth::authorize(
        p,
        crate::auth::Action::ReadPersonal,
        &format!("registry.{}", spec.kind),
    )
    .is_ok_and(|s| s.org.is_none() && s.covers(jurisdiction, ""));
    if clear {
        return;
    }
    let Value::Object(m) = payload else {
        return;
    };
    for key in spec.personal {
        if let Some(v) = m.get_mut(*key) {
            *v = mask(v);
        }
        if let Some(Value::Object(attrs)) = m.get_mut("attrs") {
            if let Some(v) = attrs.get_mut(*key) {
                *v = mask(v);
            }
        }
    }
}

/// How a value is written into a file cell: enums as their Chinese label,
/// lists joined with `;`.
pub fn cell_text(f: Option<&FieldSpec>, v: &Value, dicts: &Dictionaries) -> String {
    let raw = match v {
        Value::Null => return String::new(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().filter_map(text_of).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    };
    match f.map(|f| f.ty) {
        Some(FieldType::Enum(opts)) => opts
            .iter()
            .find(|o| o.0 == raw)
            .map(|o| o.1.to_string())
            .unwrap_or(raw),
        Some(FieldType::Dict(d)) => dicts
            .get(d)
            .and_then(|o| o.iter().find(|o| o.value == raw))
            .map(|o| o.label_zh.clone())
            .unwrap_or(raw),
        _ => raw,
    }
}

#[cfg(test)]
mod tests;
