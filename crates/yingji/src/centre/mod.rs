//! The command centre (指挥中心, plan 四.5 "建设市应急管理指挥大厅"): the
//! wall display's read-only credential and the situation the home page and
//! the 大屏 show.
//!
//! A **display token** is a secret an administrator issues for one wall
//! display, bound to a division of their jurisdiction. The display opens
//! `/screen?token=…` without a login; the token becomes an HttpOnly cookie
//! (`yingji_display`) and every request it carries is a [`Principal`] with
//! the observer role (read-only) in the token's division, so the one
//! authorization function ([`crate::auth::authorize`]) decides what it may
//! read, and the jurisdiction subtree bounds it. On top of that the
//! extractor lets a display token only read (GET/HEAD, no exports): it can
//! never write, even where a handler would let an observer. Tokens are
//! stored hashed (SHA-256), expire, are revocable, and issuing and revoking
//! are journaled.

pub mod api;
pub mod store;

use time::OffsetDateTime;

use crate::auth::{Principal, Role};
use crate::db::UtcText;
use crate::divisions::Code;
use crate::error::FieldError;

/// The cookie a wall display's requests carry (Path=/api).
pub const DISPLAY_COOKIE: &str = "yingji_display";
/// Longest lifetime of a display token, in days (a wall display is
/// re-issued at least yearly).
pub const MAX_DISPLAY_DAYS: i64 = 366;
/// Default lifetime.
pub const DEFAULT_DISPLAY_DAYS: i64 = 90;

/// A display token as listed (never its secret).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct DisplayToken {
    pub id: i64,
    pub name: String,
    pub division: String,
    pub created_by: String,
    pub created_at: UtcText,
    pub expires_at: UtcText,
    pub last_used_at: Option<UtcText>,
    pub revoked: bool,
    pub revoked_at: Option<UtcText>,
    pub revoked_by: Option<String>,
}

impl DisplayToken {
    /// Whether the token lets a display in at `now`.
    pub fn valid_at(&self, now: OffsetDateTime) -> bool {
        !self.revoked && self.expires_at.0 > now
    }

    /// The read-only principal a display request acts as: an observer in the
    /// token's division. Its user id is the token's negated (no user has
    /// it), its username `display:<id>`.
    pub fn principal(&self) -> Result<Principal, FieldError> {
        let division = Code::parse(&self.division)
            .map_err(|e| FieldError::new("division", e.to_string()).code("bad_division"))?;
        Ok(Principal {
            user_id: -self.id,
            username: format!("display:{}", self.id),
            display_name: self.name.clone(),
            role: Role::Observer,
            division,
            org: String::new(),
        })
    }
}

/// A request a display token may make: reads only, and no exports (a file
/// leaves the wall; personal data stays masked as for an observer).
/// `method` is the request's method as written (`GET`, `POST`, …).
pub fn display_may(method: &str, path: &str) -> bool {
    matches!(method, "GET" | "HEAD") && !path.ends_with("/export")
}

/// Check a new display token's name and lifetime.
pub fn check_new(name: &str, days: i64) -> Result<(String, i64), Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(
            FieldError::new("name", "请填写大屏名称（最多 100 字）")
                .code("required_max")
                .param("max", 100),
        );
    }
    if !(1..=MAX_DISPLAY_DAYS).contains(&days) {
        errors.push(
            FieldError::new("days", format!("有效期须为 1–{MAX_DISPLAY_DAYS} 天"))
                .code("out_of_range")
                .param("min", 1)
                .param("max", MAX_DISPLAY_DAYS),
        );
    }
    if errors.is_empty() {
        Ok((name.to_string(), days))
    } else {
        Err(errors)
    }
}

/// When a dispatched resource is expected on site: the moment it left plus
/// its travel time by road. Only a resource under way has one; an approved
/// order has not left yet, an arrived one is there.
pub fn eta(state: &str, since: OffsetDateTime, travel_s: Option<f64>) -> Option<OffsetDateTime> {
    match (state, travel_s) {
        ("departed", Some(t)) if t.is_finite() && t >= 0.0 => {
            Some(since + time::Duration::milliseconds((t * 1000.0).round() as i64))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_resource_under_way_is_expected_after_its_travel_time() {
        use time::macros::datetime;
        let left = datetime!(2026-12-08 01:00:00 UTC);
        let rows: [(&str, Option<f64>, Option<time::OffsetDateTime>); 6] = [
            (
                "departed",
                Some(754.4),
                Some(datetime!(2026-12-08 01:12:34.400 UTC)),
            ),
            ("departed", Some(0.0), Some(left)),
            // No road time (no road within the radius): no promise.
            ("departed", None, None),
            ("departed", Some(f64::NAN), None),
            // Not left yet, or already there.
            ("approved", Some(600.0), None),
            ("arrived", Some(600.0), None),
        ];
        for (state, t, want) in rows {
            assert_eq!(super::eta(state, left, t), want, "{state} {t:?}");
        }
    }

    use super::*;
    use time::macros::datetime;

    fn token(revoked: bool, expires: OffsetDateTime) -> DisplayToken {
        DisplayToken {
            id: 7,
            name: "指挥大厅".into(),
            division: "140213".into(),
            created_by: "admin".into(),
            created_at: UtcText(datetime!(2026-12-01 00:00 UTC)),
            expires_at: UtcText(expires),
            last_used_at: None,
            revoked,
            revoked_at: None,
            revoked_by: None,
        }
    }

    #[test]
    fn a_display_reads_only() {
        // (method, path, allowed)
        let table = [
            ("GET", "/api/v1/incidents", true),
            ("HEAD", "/api/v1/warnings", true),
            ("GET", "/api/v1/journal/stream", true),
            ("GET", "/api/v1/registries/team/export", false),
            ("POST", "/api/v1/incidents", false),
            ("PUT", "/api/v1/registries/team/1", false),
            ("DELETE", "/api/v1/registries/team/1", false),
            ("PATCH", "/api/v1/incidents/1", false),
        ];
        for (m, path, ok) in table {
            assert_eq!(display_may(m, path), ok, "{m} {path}");
        }
    }

    #[test]
    fn validity_and_principal() {
        let now = datetime!(2026-12-07 12:00 UTC);
        assert!(token(false, datetime!(2026-12-08 00:00 UTC)).valid_at(now));
        assert!(!token(true, datetime!(2026-12-08 00:00 UTC)).valid_at(now));
        assert!(!token(false, now).valid_at(now), "expired at the instant");
        let p = token(false, now).principal().unwrap();
        assert_eq!(p.role, Role::Observer);
        assert_eq!(p.division.as_str(), "140213000000");
        assert_eq!(p.user_id, -7);
        // The one authorization function: read yes, write never, users never.
        use crate::auth::{authorize, Action};
        assert!(authorize(&p, Action::Read, "incidents").is_ok());
        assert!(authorize(&p, Action::Write, "incidents").is_err());
        assert!(authorize(&p, Action::Read, "users").is_err());
        assert!(authorize(&p, Action::ReadPersonal, "registry.team").is_err());
        let s = authorize(&p, Action::Read, "warnings").unwrap();
        assert!(s.covers("140213100000", ""));
        assert!(!s.covers("140215000000", ""));
    }

    #[test]
    fn new_token_checks() {
        assert_eq!(check_new(" 大厅 ", 30), Ok(("大厅".into(), 30)));
        let e = check_new("", 0).unwrap_err();
        assert_eq!(
            e.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(),
            ["name", "days"]
        );
        assert!(check_new(&"屏".repeat(101), 30).is_err());
        assert!(check_new("大厅", MAX_DISPLAY_DAYS + 1).is_err());
    }
}
