//! The typed edge between records and columns. Columns are only `TEXT`,
//! `BIGINT` and `DOUBLE PRECISION` on both engines (see `docs/architecture.md`);
//! these types let a record hold what the column means — a point in time, a
//! typed JSON value — and fail loudly (`DbError::Corrupt` through sqlx's
//! decode error) on text that is not what it should be, instead of a caller
//! replacing bad data with a default. They decode and bind directly
//! (`col::<UtcText>(row, "at")`, `.bind(at)`, `#[derive(sqlx::FromRow)]`).

use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sqlx::any::{Any, AnyTypeInfo, AnyValueRef};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Type};
use time::OffsetDateTime;

use crate::clock::{format_time, parse_time};

/// A point in time stored as RFC 3339 UTC text with milliseconds
/// (`2026-12-07T03:44:51.123Z`, which sorts as text) and shown in JSON the
/// same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcText(pub OffsetDateTime);

impl UtcText {
    /// Read stored or input text; `None` when it is not RFC 3339.
    pub fn parse(s: &str) -> Option<UtcText> {
        parse_time(s).map(UtcText)
    }
    pub fn text(self) -> String {
        format_time(self.0)
    }
}

impl From<OffsetDateTime> for UtcText {
    fn from(t: OffsetDateTime) -> Self {
        UtcText(t)
    }
}

impl Deref for UtcText {
    type Target = OffsetDateTime;
    fn deref(&self) -> &OffsetDateTime {
        &self.0
    }
}

impl std::fmt::Display for UtcText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

impl Serialize for UtcText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

impl<'de> Deserialize<'de> for UtcText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        UtcText::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("not an RFC 3339 time: {s:?}")))
    }
}

impl utoipa::PartialSchema for UtcText {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::DateTime,
            )))
            .into()
    }
}

impl utoipa::ToSchema for UtcText {}

impl Type<Any> for UtcText {
    fn type_info() -> AnyTypeInfo {
        <String as Type<Any>>::type_info()
    }
    fn compatible(ty: &AnyTypeInfo) -> bool {
        <String as Type<Any>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Any> for UtcText {
    fn encode_by_ref(
        &self,
        buf: &mut <Any as Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        <String as Encode<'q, Any>>::encode(self.text(), buf)
    }
}

impl<'r> Decode<'r, Any> for UtcText {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        let s = <String as Decode<'r, Any>>::decode(value)?;
        UtcText::parse(&s).ok_or_else(|| format!("not an RFC 3339 time: {s:?}").into())
    }
}

/// A typed value stored as JSON text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JsonText<T>(pub T);

impl<T> Deref for JsonText<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Type<Any> for JsonText<T> {
    fn type_info() -> AnyTypeInfo {
        <String as Type<Any>>::type_info()
    }
    fn compatible(ty: &AnyTypeInfo) -> bool {
        <String as Type<Any>>::compatible(ty)
    }
}

impl<'q, T: Serialize> Encode<'q, Any> for JsonText<T> {
    fn encode_by_ref(
        &self,
        buf: &mut <Any as Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        <String as Encode<'q, Any>>::encode(serde_json::to_string(&self.0)?, buf)
    }
}

impl<'r, T: serde::de::DeserializeOwned> Decode<'r, Any> for JsonText<T> {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        let s = <&str as Decode<'r, Any>>::decode(value)?;
        Ok(JsonText(serde_json::from_str(s)?))
    }
}

impl<T> std::ops::DerefMut for JsonText<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// A record's JSON column shows in its JSON as the value itself (a field
/// of a `#[derive(sqlx::FromRow)]` record that the API also returns; give
/// the field `#[schema(value_type = T)]`).
impl<T: Serialize> Serialize for JsonText<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// A state or kind enum stored as its text: `text_enum!(DrillState,
/// DrillState::as_str, DrillState::parse)` lets it bind and decode directly,
/// so it can be a field of a `#[derive(sqlx::FromRow)]` record; a stored
/// value the enum does not know is a decode error (`DbError`), never a
/// default.
macro_rules! text_enum {
    ($t:ty, $to:expr, $from:expr) => {
        impl sqlx::Type<sqlx::Any> for $t {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <String as sqlx::Type<sqlx::Any>>::type_info()
            }
            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }
        impl<'q> sqlx::Encode<'q, sqlx::Any> for $t {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<'q, sqlx::Any>>::encode(($to)(*self), buf)
            }
        }
        impl<'r> sqlx::Decode<'r, sqlx::Any> for $t {
            fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let s = <&str as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
                ($from)(s).ok_or_else(|| format!("not a {}: {s:?}", stringify!($t)).into())
            }
        }
    };
}
pub(crate) use text_enum;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{col, testing};

    #[test]
    fn time_text_round_trips_with_milliseconds() {
        let t = time::macros::datetime!(2026-12-07 03:44:51.123456 +08:00);
        let u = UtcText(t);
        assert_eq!(u.text(), "2026-12-06T19:44:51.123Z");
        assert_eq!(
            serde_json::to_string(&u).unwrap(),
            "\"2026-12-06T19:44:51.123Z\""
        );
        let back: UtcText = serde_json::from_str("\"2026-12-06T19:44:51.123Z\"").unwrap();
        assert_eq!(back.text(), u.text());
        assert!(serde_json::from_str::<UtcText>("\"yesterday\"").is_err());
    }

    #[tokio::test]
    async fn columns_decode_typed_and_refuse_bad_text() {
        for t in testing::all().await {
            let at = UtcText(time::macros::datetime!(2026-12-07 03:00 UTC));
            let facts = JsonText(serde_json::json!({ "deaths": 3 }));
            sqlx::query("INSERT INTO settings (key, value) VALUES ('t1', $1), ('t2', $2), ('t3', 'not a time')")
                .bind(at)
                .bind(facts.clone())
                .execute(t.db.pool())
                .await
                .unwrap();
            let get = |k: &'static str| {
                sqlx::query("SELECT value FROM settings WHERE key = $1")
                    .bind(k)
                    .fetch_one(t.db.pool())
            };
            let r = get("t1").await.unwrap();
            assert_eq!(col::<UtcText>(&r, "value").unwrap(), at, "{}", t.name);
            let r = get("t2").await.unwrap();
            let back: JsonText<serde_json::Value> = col(&r, "value").unwrap();
            assert_eq!(back, facts, "{}", t.name);
            // Bad text is an error, never a silent default.
            let r = get("t3").await.unwrap();
            assert!(col::<UtcText>(&r, "value").is_err(), "{}", t.name);
        }
    }
}
