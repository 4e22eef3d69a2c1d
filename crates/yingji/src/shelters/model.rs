//! The records of shelters in operation, typed: times `UtcText`.

use serde::Serialize;

use crate::db::UtcText;

/// A shelter's opening (启用): from `opened_at` until `closed_at`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
#[schema(as = ShelterOpening)]
pub struct Opening {
    pub id: i64,
    /// The registry shelter.
    pub shelter_id: i64,
    /// The shelter's division (jurisdiction).
    pub division: String,
    /// The incident it was opened for, if any.
    pub incident_id: Option<i64>,
    pub opened_at: UtcText,
    pub opened_by: String,
    pub closed_at: Option<UtcText>,
    pub closed_by: String,
    pub note: String,
    pub version: i64,
}

/// A household registered in a shelter.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
#[schema(as = ShelterHousehold)]
pub struct Household {
    pub id: i64,
    pub opening_id: i64,
    pub shelter_id: i64,
    pub division: String,
    /// 户主姓名 (personal data: masked without the right to read it).
    pub head_name: String,
    /// The last four characters of the head's ID number (身份证号后四位);
    /// the full number is never stored.
    pub id_last4: String,
    /// Personal data.
    pub phone: String,
    /// 人数
    pub members: i64,
    /// 来源村（社区）
    pub origin_village: String,
    /// 特殊需求 (老人、残疾、婴幼儿、孕产妇、慢性病 …)
    pub special_needs: String,
    pub checked_in_at: UtcText,
    pub checked_in_by: String,
    pub checked_out_at: Option<UtcText>,
    pub checked_out_by: String,
    pub version: i64,
}
