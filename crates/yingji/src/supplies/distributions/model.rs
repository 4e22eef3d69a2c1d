//! The records of a distribution list, typed: times `UtcText`.

use serde::Serialize;

use crate::db::UtcText;

/// A distribution: the 出库单 it is, where and for what.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
#[schema(as = SupplyDistribution)]
pub struct Distribution {
    pub doc_id: i64,
    pub division: String,
    pub incident_id: Option<i64>,
    /// The shelter opening whose households receive, if any.
    pub opening_id: Option<i64>,
    pub place: String,
}

/// A household on the list.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
#[schema(as = SupplyRecipient)]
pub struct Recipient {
    pub id: i64,
    pub doc_id: i64,
    pub row_no: i64,
    /// The shelter registration it came from, if any.
    pub household_id: Option<i64>,
    /// 户主姓名 (personal data: masked without the right to read it).
    pub head_name: String,
    /// 身份证号后四位
    pub id_last4: String,
    pub members: i64,
    /// 签收时间
    pub signed_at: Option<UtcText>,
    pub signed_by: String,
    pub version: i64,
}
