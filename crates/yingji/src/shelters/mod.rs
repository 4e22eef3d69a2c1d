//! Shelters in operation (避难场所启用与安置): a registry shelter is opened
//! (启用) — for an incident or not — and closed with times; households are
//! registered in and out (the head's name, the last four characters of the
//! ID number only, phone, members, origin village, special needs);
//! occupancy and free places follow, and the shelter's effective area is
//! checked against the people it serves and holds by the per-person area of
//! GB 21734-2008 §5.4 (人均居住面积应大于 1.5 m², configurable).
//!
//! Issue #17 ("shelters in operation"); the plan's 三.25 (应急避难场所).
//! Pure: no SQL, no HTTP, no clock reads.

pub mod api;
pub mod model;
pub mod store;

use serde::{Deserialize, Serialize};

use crate::error::{text, FieldError, Refusal, RuleError};
pub use model::{Household, Opening};

/// The module name shelters are authorized under (`auth::authorize`).
pub const MODULE: &str = "shelters";

/// The shelters settings (`[shelters]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SheltersConfig {
    /// The least effective area per person (m²): GB 21734-2008《地震应急
    /// 避难场所 场址及配套设施》§5.4 面积要求 “人均居住面积应大于 1.5 m²”.
    /// A bureau applying a stricter rule (e.g. GB 51143-2015 for a long-stay
    /// shelter) sets it higher.
    pub min_area_per_person_m2: f64,
}

impl Default for SheltersConfig {
    fn default() -> Self {
        SheltersConfig {
            min_area_per_person_m2: crate::resources::M2_PER_PERSON,
        }
    }
}

/// A household as the user registers it (`POST /shelters/{id}/households`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewShelterHousehold)]
pub struct NewHousehold {
    pub head_name: String,
    /// The last four characters of the ID number (digits, the last may be X).
    pub id_last4: String,
    #[serde(default)]
    pub phone: String,
    pub members: i64,
    #[serde(default)]
    pub origin_village: String,
    #[serde(default)]
    pub special_needs: String,
}

/// The most people one household registration may bring.
pub const MAX_MEMBERS: i64 = 30;

/// The last four characters of an ID number (身份证号后四位: digits, the
/// last may be X), upper-cased. A full number, or anything longer, is
/// refused (`id_last4_only`): it is never stored.
pub fn id_last4(field: &str, v: &str) -> Result<String, FieldError> {
    let last4 = v.trim().to_uppercase();
    let n = last4.chars().count();
    if n > 4 {
        Err(FieldError::new(field, "只登记身份证号后四位，不要填写完整号码").code("id_last4_only"))
    } else if n != 4
        || !last4
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || (i == 3 && c == 'X'))
    {
        Err(
            FieldError::new(field, "应为身份证号后四位（数字，最后一位可为 X）")
                .code("bad_id_last4"),
        )
    } else {
        Ok(last4)
    }
}

/// Check a household: every wrong field named. A full ID number (or
/// anything longer than four characters) is refused — only the last four
/// are kept (`id_last4_only`).
pub fn check_household(b: &NewHousehold) -> Result<NewHousehold, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut t = |name: &str, v: &str, max: usize, req: bool| {
        text(name, v, max, req)
            .map_err(|e| errors.push(e))
            .unwrap_or_default()
    };
    let head_name = t("head_name", &b.head_name, 50, true);
    let origin_village = t("origin_village", &b.origin_village, 100, false);
    let special_needs = t("special_needs", &b.special_needs, 200, false);
    let phone = t("phone", &b.phone, 30, false);
    if !phone.is_empty() && !crate::registry::valid_phone(&phone) {
        errors.push(FieldError::new("phone", "电话号码格式不正确").code("bad_phone"));
    }
    let last4 = id_last4("id_last4", &b.id_last4)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    if !(1..=MAX_MEMBERS).contains(&b.members) {
        errors.push(
            FieldError::new("members", format!("应在 1 到 {MAX_MEMBERS} 之间"))
                .code("out_of_range")
                .param("min", 1)
                .param("max", MAX_MEMBERS),
        );
    }
    if errors.is_empty() {
        Ok(NewHousehold {
            head_name,
            id_last4: last4,
            phone,
            members: b.members,
            origin_village,
            special_needs,
        })
    } else {
        Err(errors)
    }
}

/// What a shelter is sized for, from its registry record: its effective
/// area (m²), its stated capacity (people) and the population it serves.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Size {
    pub area_m2: f64,
    pub capacity: Option<i64>,
    pub served_population: Option<i64>,
}

/// How full a shelter is and how its area stands.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = ShelterOccupancy)]
pub struct Occupancy {
    /// The places: the stated capacity, else the area at the least
    /// per-person area (floor).
    pub capacity: i64,
    /// People registered in.
    pub occupants: i64,
    /// Households registered in.
    pub households: i64,
    /// capacity − occupants (never below 0).
    pub free: i64,
    /// Effective area per person of the population served (m²; none when
    /// no population is recorded).
    pub served_area_per_person: Option<f64>,
    /// The served population does not fit at the least per-person area
    /// (GB 21734-2008 §5.4).
    pub served_short: bool,
    /// The stated capacity does not fit at the least per-person area.
    pub capacity_short: bool,
    /// Effective area per person of the occupants now (none when empty).
    pub occupied_area_per_person: Option<f64>,
    /// The occupants now have less than the least per-person area.
    pub occupied_short: bool,
    /// The least per-person area applied (m²).
    pub min_area_per_person_m2: f64,
}

/// The occupancy of a shelter of `size` holding `households` households of
/// `occupants` people, against the least per-person area `min` (m²).
pub fn occupancy(size: Size, households: i64, occupants: i64, min: f64) -> Occupancy {
    let by_area = if min > 0.0 {
        (size.area_m2 / min).floor() as i64
    } else {
        0
    };
    let capacity = size.capacity.unwrap_or(by_area);
    let per = |people: i64| (people > 0).then(|| size.area_m2 / people as f64);
    let served_area_per_person = size.served_population.and_then(per);
    let occupied_area_per_person = per(occupants);
    Occupancy {
        capacity,
        occupants,
        households,
        free: (capacity - occupants).max(0),
        served_area_per_person,
        served_short: served_area_per_person.is_some_and(|a| a < min),
        capacity_short: capacity > 0 && size.area_m2 / (capacity as f64) < min,
        occupied_area_per_person,
        occupied_short: occupied_area_per_person.is_some_and(|a| a < min),
        min_area_per_person_m2: min,
    }
}

/// Whether a shelter can be opened: not while it is open.
pub fn check_open(open: Option<&Opening>) -> Result<(), RuleError> {
    match open {
        Some(o) => Err(RuleError::State(
            Refusal::new("shelter_already_open", "该避难场所已启用").param("opening_id", o.id),
        )),
        None => Ok(()),
    }
}

/// Whether a shelter can be closed: open, and every household registered
/// out first.
pub fn check_close(open: Option<&Opening>, households_in: i64) -> Result<(), RuleError> {
    if open.is_none() {
        return Err(RuleError::State(Refusal::new(
            "shelter_not_open",
            "该避难场所未启用",
        )));
    }
    if households_in > 0 {
        return Err(RuleError::State(
            Refusal::new("households_still_in", "仍有安置户未登记离开，不能关闭")
                .param("households", households_in),
        ));
    }
    Ok(())
}

/// Whether `members` more people can be registered in: the shelter is open
/// and has that many free places.
pub fn check_in(open: Option<&Opening>, occ: &Occupancy, members: i64) -> Result<(), RuleError> {
    if open.is_none() {
        return Err(RuleError::State(Refusal::new(
            "shelter_not_open",
            "该避难场所未启用",
        )));
    }
    if members > occ.free {
        return Err(RuleError::State(
            Refusal::new("shelter_full", "空余床位不足")
                .param("free", occ.free)
                .param("members", members),
        ));
    }
    Ok(())
}

/// Whether a household can be registered out: it is still in.
pub fn check_out(h: &Household) -> Result<(), RuleError> {
    if h.checked_out_at.is_some() {
        return Err(RuleError::State(Refusal::new(
            "already_checked_out",
            "该户已登记离开",
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
