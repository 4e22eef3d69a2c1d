//! Users, roles, jurisdiction scope and the one authorization function.
//!
//! Every handler asks [`authorize`] before it reads or writes; the answer is
//! the [`Scope`] its queries must be restricted to. Nothing else in the code
//! decides who may do what.

pub mod admin;
pub mod api;
pub mod cache;
pub mod model;
pub mod people;
pub mod store;
pub mod throttle;
pub mod via;

use serde::Serialize;

use crate::divisions::Code;

/// Roles, each bound to a division (and, for enterprise users, an organisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// 系统管理员: everything in their jurisdiction, including users.
    Admin,
    /// 市指挥长: reads and writes everything in their jurisdiction.
    Commander,
    /// 县级操作员: keeps the registries of their county.
    Operator,
    /// 乡镇信息员: reads their township; writes only reports.
    Reporter,
    /// 企业用户: their own enterprise and its hazard sources.
    Enterprise,
    /// 观察员: read-only.
    Observer,
}

pub const ALL_ROLES: [Role; 6] = [
    Role::Admin,
    Role::Commander,
    Role::Operator,
    Role::Reporter,
    Role::Enterprise,
    Role::Observer,
];

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Commander => "commander",
            Role::Operator => "operator",
            Role::Reporter => "reporter",
            Role::Enterprise => "enterprise",
            Role::Observer => "observer",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        ALL_ROLES.into_iter().find(|r| r.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Commander => "市指挥长",
            Role::Operator => "县级操作员",
            Role::Reporter => "乡镇信息员",
            Role::Enterprise => "企业用户",
            Role::Observer => "观察员",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Role::Admin => "System administrator",
            Role::Commander => "City commander",
            Role::Operator => "County operator",
            Role::Reporter => "Township reporter",
            Role::Enterprise => "Enterprise user",
            Role::Observer => "Observer (read-only)",
        }
    }
}

/// The authenticated user of a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub division: Code,
    /// For enterprise users: `enterprise:<id>`; empty otherwise.
    pub org: String,
}

/// What a request wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Write,
    Admin,
    /// See a record's personal-data fields (the kind's
    /// [`crate::registry::KindSpec::personal`]) in clear; without it they are
    /// masked (`138****1234`).
    ReadPersonal,
    /// Export a file with personal-data fields in clear (each such export is
    /// journaled); without it an export carries the masked values.
    ExportPersonal,
}

/// The part of the data an authorized request may touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// Division-code prefix of the user's jurisdiction subtree.
    pub prefix: String,
    /// Only records owned by this organisation (enterprise users).
    pub org: Option<String>,
}

impl Scope {
    /// Whether a record with this division and owner is inside the scope.
    pub fn covers(&self, division: &str, org: &str) -> bool {
        division.starts_with(&self.prefix) && self.org.as_deref().is_none_or(|o| o == org)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("需要登录")]
    Unauthenticated,
    #[error("无权执行此操作")]
    Forbidden,
}

/// Modules whose records belong to an organisation: enterprise users see and
/// change only their own organisation's records there.
const ORG_OWNED: [&str; 4] = [
    "registry.enterprise",
    "registry.hazard_source",
    "supervision",
    // The enterprise's own accident report (双报告, `reports::api_unit`).
    "reports.unit_report",
];

/// Registry kinds that are mostly personal data (subscribers' phones and
/// e-mails, experts, where people live, the directory's contacts): enterprise users may not read them
/// at all.
const PERSONAL_KINDS: [&str; 4] = [
    "registry.subscriber",
    "registry.expert",
    "registry.settlement",
    "registry.contact",
];

/// THE authorization function. `module` names what is touched
/// (`registry.team`, `journal`, `users`, …). Returns the scope the request
/// must stay inside, or why it may not proceed.
///
/// Personal data (docs/architecture.md, "Roles"): admins, commanders and —
/// for the registries they keep — county operators read and export it in
/// clear; reporters and observers read it masked; enterprise users read it
/// only on their own organisation's records and may not read the
/// personal-data kinds ([`PERSONAL_KINDS`]) at all.
pub fn authorize(p: &Principal, action: Action, module: &str) -> Result<Scope, AuthError> {
    use Action::{ExportPersonal, ReadPersonal};
    let registry = module.starts_with("registry.");
    let org_owned = ORG_OWNED.contains(&module);
    let allowed = match (p.role, action) {
        (Role::Admin, _) => true,
        (_, Action::Admin) => false,
        (Role::Commander, _) => module != "users",
        (Role::Operator, Action::Read) => module != "users",
        // The registries they keep, and the households of their shelters.
        (Role::Operator, ReadPersonal | ExportPersonal) => registry || module == "shelters",
        (Role::Operator, Action::Write) => {
            registry
                || module.starts_with("reports.")
                || module == "incidents"
                || module == "warnings"
                || module == "duty"
                || module == "attachments"
                || module == "plans"
                || module == "supervision"
                // The ledger of their own warehouses (not the catalogue,
                // `supplies.catalogue`, which the city keeps).
                || module == "supplies"
                || module == "monitoring"
                // Their shelters in operation (启用, households in and out).
                || module == "shelters"
                // 调度会商 of their incidents and warnings.
                || module == "consultations"
        }
        (Role::Reporter, Action::Read) => module != "users" && module != "duty",
        (Role::Reporter, Action::Write) => module == "reports.disaster",
        (Role::Observer, Action::Read) => module != "users",
        (Role::Observer, Action::Write) => false,
        (Role::Reporter | Role::Observer, ReadPersonal | ExportPersonal) => false,
        (Role::Enterprise, Action::Read) => {
            (registry && !PERSONAL_KINDS.contains(&module))
                || module == "divisions"
                || module == "supervision"
                || module == "reports.unit_report"
        }
        (Role::Enterprise, Action::Write | ReadPersonal | ExportPersonal) => org_owned,
    };
    if !allowed {
        return Err(AuthError::Forbidden);
    }
    let org = (p.role == Role::Enterprise && org_owned).then(|| p.org.clone());
    Ok(Scope {
        prefix: p.division.prefix().to_string(),
        org,
    })
}

/// Password policy for new and reset passwords.
pub fn check_password_strength(pw: &str) -> Result<(), String> {
    let chars = pw.chars().count();
    if chars < 8 {
        return Err("密码至少 8 位".into());
    }
    if chars > 128 {
        return Err("密码最多 128 位".into());
    }
    let classes = [
        pw.chars().any(|c| c.is_ascii_lowercase()),
        pw.chars().any(|c| c.is_ascii_uppercase()),
        pw.chars().any(|c| c.is_ascii_digit()),
        pw.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|&&b| b)
    .count();
    if classes < 3 {
        return Err("密码须包含大写字母、小写字母、数字、符号中的至少三类".into());
    }
    Ok(())
}

pub fn hash_password(pw: &str) -> Result<String, String> {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify_password(pw: &str, hash: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash)
        .map(|h| {
            argon2::Argon2::default()
                .verify_password(pw.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A fresh random token (sessions, API tokens) and its stored SHA-256 hash.
pub fn new_token() -> (String, String) {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(role: Role, div: &str) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            display_name: "u".into(),
            role,
            division: Code::parse(div).unwrap(),
            org: if role == Role::Enterprise {
                "enterprise:7".into()
            } else {
                String::new()
            },
        }
    }

    #[test]
    fn capability_table() {
        use Action::*;
        // (role, action, module, allowed)
        let table = [
            (Role::Admin, Admin, "users", true),
            (Role::Admin, Write, "registry.team", true),
            (Role::Commander, Write, "registry.team", true),
            (Role::Commander, Read, "users", false),
            (Role::Commander, Admin, "users", false),
            (Role::Operator, Write, "registry.shelter", true),
            (Role::Operator, Read, "journal", true),
            (Role::Operator, Write, "journal", false),
            (Role::Reporter, Read, "registry.team", true),
            (Role::Reporter, Write, "registry.team", false),
            (Role::Reporter, Write, "reports.disaster", true),
            (Role::Reporter, Write, "reports.accident", false),
            (Role::Operator, Write, "reports.accident", true),
            (Role::Enterprise, Write, "reports.unit_report", true),
            (Role::Enterprise, Read, "reports.unit_report", true),
            (Role::Enterprise, Read, "reports.accident", false),
            (Role::Enterprise, Write, "reports.accident", false),
            (Role::Reporter, Write, "reports.unit_report", false),
            (Role::Observer, Write, "reports.disaster", false),
            (Role::Observer, Read, "registry.team", true),
            (Role::Observer, Write, "registry.team", false),
            (Role::Enterprise, Read, "registry.shelter", true),
            (Role::Enterprise, Write, "registry.shelter", false),
            (Role::Enterprise, Write, "registry.hazard_source", true),
            (Role::Enterprise, Read, "journal", false),
            (Role::Operator, Write, "incidents", true),
            (Role::Commander, Write, "incidents", true),
            (Role::Reporter, Write, "incidents", false),
            (Role::Observer, Write, "incidents", false),
            (Role::Observer, Read, "incidents", true),
            (Role::Enterprise, Read, "incidents", false),
            (Role::Operator, Write, "warnings", true),
            (Role::Operator, Write, "plans", true),
            (Role::Observer, Write, "plans", false),
            (Role::Observer, Read, "plans", true),
            (Role::Reporter, Write, "plans", false),
            (Role::Reporter, Write, "warnings", false),
            (Role::Observer, Write, "warnings", false),
            (Role::Operator, Write, "duty", true),
            (Role::Commander, Write, "duty", true),
            (Role::Admin, Write, "duty", true),
            (Role::Observer, Read, "duty", true),
            (Role::Observer, Write, "duty", false),
            (Role::Reporter, Read, "duty", false),
            (Role::Reporter, Write, "duty", false),
            (Role::Enterprise, Read, "duty", false),
            (Role::Enterprise, Write, "duty", false),
            (Role::Operator, Write, "attachments", true),
            (Role::Operator, Write, "supervision", true),
            (Role::Commander, Write, "supervision", true),
            (Role::Observer, Read, "supervision", true),
            (Role::Observer, Write, "supervision", false),
            (Role::Reporter, Read, "supervision", true),
            (Role::Reporter, Write, "supervision", false),
            (Role::Enterprise, Read, "supervision", true),
            (Role::Enterprise, Write, "supervision", true),
            (Role::Observer, Read, "attachments", true),
            (Role::Observer, Write, "attachments", false),
            (Role::Reporter, Write, "attachments", false),
            (Role::Enterprise, Read, "attachments", false),
            (Role::Enterprise, Write, "attachments", false),
            // Personal data: read in clear, export in clear.
            (Role::Admin, ReadPersonal, "registry.subscriber", true),
            (Role::Admin, ExportPersonal, "registry.subscriber", true),
            (Role::Commander, ReadPersonal, "registry.subscriber", true),
            (Role::Commander, ExportPersonal, "registry.expert", true),
            (Role::Commander, ExportPersonal, "users", false),
            (Role::Operator, ReadPersonal, "registry.subscriber", true),
            (Role::Operator, ExportPersonal, "registry.subscriber", true),
            (Role::Operator, ExportPersonal, "registry.team", true),
            (Role::Operator, ReadPersonal, "journal", false),
            (Role::Reporter, Read, "registry.subscriber", true),
            (Role::Reporter, ReadPersonal, "registry.subscriber", false),
            (Role::Reporter, ExportPersonal, "registry.team", false),
            (Role::Observer, Read, "registry.subscriber", true),
            (Role::Observer, ReadPersonal, "registry.team", false),
            (Role::Observer, ExportPersonal, "registry.subscriber", false),
            (Role::Enterprise, Read, "registry.subscriber", false),
            (Role::Enterprise, Read, "registry.expert", false),
            (Role::Enterprise, Read, "registry.settlement", false),
            (Role::Enterprise, Read, "registry.team", true),
            (Role::Enterprise, Read, "divisions", true),
            (Role::Enterprise, ReadPersonal, "registry.team", false),
            (Role::Enterprise, ReadPersonal, "registry.shelter", false),
            (
                Role::Enterprise,
                ExportPersonal,
                "registry.subscriber",
                false,
            ),
            (Role::Enterprise, ReadPersonal, "registry.enterprise", true),
            (
                Role::Enterprise,
                ExportPersonal,
                "registry.hazard_source",
                true,
            ),
        ];
        for (role, action, module, allowed) in table {
            assert_eq!(
                authorize(&p(role, "140213"), action, module).is_ok(),
                allowed,
                "{role:?} {action:?} {module}"
            );
        }
    }

    /// Whoever may write a registry record may read it in clear: a masked
    /// value can never come back in an edit.
    #[test]
    fn writers_read_personal_data_in_clear() {
        for role in ALL_ROLES {
            for kind in crate::resources::KINDS {
                let module = format!("registry.{}", kind.kind);
                let u = p(role, "140213");
                if let Ok(w) = authorize(&u, Action::Write, &module) {
                    let r = authorize(&u, Action::ReadPersonal, &module);
                    assert_eq!(r.as_ref(), Ok(&w), "{role:?} {module}");
                    assert!(authorize(&u, Action::ExportPersonal, &module).is_ok());
                }
            }
        }
    }

    #[test]
    fn scope_is_the_jurisdiction_subtree() {
        let s = authorize(&p(Role::Operator, "140213"), Action::Write, "registry.team").unwrap();
        assert!(s.covers("140213100201", ""));
        assert!(s.covers("140213000000", ""));
        assert!(!s.covers("140215000000", ""));
        assert!(
            !s.covers("140200000000", ""),
            "a county user cannot touch city-level records"
        );
        let city = authorize(
            &p(Role::Commander, "140200"),
            Action::Write,
            "registry.team",
        )
        .unwrap();
        assert!(city.covers("140215100000", ""));
        assert!(!city.covers("140100000000", ""), "another city");
    }

    #[test]
    fn enterprise_users_are_limited_to_their_org() {
        let s = authorize(
            &p(Role::Enterprise, "140213"),
            Action::Write,
            "registry.hazard_source",
        )
        .unwrap();
        assert!(s.covers("140213000000", "enterprise:7"));
        assert!(!s.covers("140213000000", "enterprise:8"));
        let r = authorize(
            &p(Role::Enterprise, "140213"),
            Action::Read,
            "registry.team",
        )
        .unwrap();
        assert!(r.covers("140213000000", ""));
    }

    #[test]
    fn password_rules() {
        assert!(check_password_strength("Demo@2025").is_ok());
        assert!(check_password_strength("short1A").is_err());
        assert!(check_password_strength("alllowercase").is_err());
        assert!(check_password_strength("lower123456").is_err());
        assert!(check_password_strength("Lower123456").is_ok());
        let h = hash_password("Demo@2025").unwrap();
        assert!(verify_password("Demo@2025", &h));
        assert!(!verify_password("demo@2025", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(token_hash(&a), ha);
        assert!(a.len() >= 43);
    }
}
