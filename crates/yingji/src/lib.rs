//! yingji (应急): an emergency-management command platform.
//!
//! The crate is organised as in `docs/architecture.md`: shared mechanisms
//! (`db`, `journal`, `auth`, `http`, `registry`) and business modules
//! (`divisions`, `resources`, …), each keeping its rules pure and its SQL in
//! `store.rs` and its routes in `api.rs`.

pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod divisions;
pub mod http;
pub mod indicators;
pub mod journal;
pub mod registry;
pub mod reports;
pub mod resources;
pub mod route_cli;

pub use config::Config;
pub use http::AppState;

/// Open the database, make sure the reference data exists, build the state.
pub async fn open(config: Config) -> Result<AppState, db::DbError> {
    if config.database_url.is_none() {
        let _ = std::fs::create_dir_all(&config.data_dir);
    }
    let db = db::Db::connect(&config.database_url()).await?;
    registry::store::ensure_dictionaries(&db).await?;
    AppState::new(db, config).await
}
