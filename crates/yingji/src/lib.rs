//! yingji (应急): an emergency-management command platform.
//!
//! The crate is organised as in `docs/architecture.md`: shared mechanisms
//! (`db`, `journal`, `auth`, `http`, `registry`) and business modules
//! (`divisions`, `resources`, …), each keeping its rules pure and its SQL in
//! `store.rs` and its routes in `api.rs`.

pub(crate) mod attachments;
pub(crate) mod attention;
pub mod auth;
pub mod centre;
pub mod cli;
pub mod clock;
pub mod cluster;
pub(crate) mod config;
pub(crate) mod consultations;
pub mod db;
pub mod demo;
pub(crate) mod directory;
pub mod dispatch;
pub mod divisions;
pub mod docx;
pub mod duty;
pub(crate) mod error;
mod grading;
pub(crate) mod http;
pub(crate) mod incidents;
pub(crate) mod indicators;
pub mod journal;
pub mod monitoring;
pub(crate) mod places;
pub mod plans;
pub mod registry;
pub mod reports;
pub mod resources;
pub(crate) mod route_cli;
pub(crate) mod routing_api;
pub mod server;
pub mod sheet;
pub mod shelters;
pub(crate) mod state;
pub mod supervision;
pub mod supplies;
pub mod upstream;
pub mod warnings;

pub use config::Config;
pub use state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Db(#[from] db::DbError),
    #[error("configuration: {0}")]
    Config(String),
    #[error("road graph {path}: {source}")]
    Graph {
        path: String,
        source: yingji_routing::Error,
    },
}

/// Open the database, make sure the reference data exists, load the road
/// graph if one is configured, build the state.
pub async fn open(config: Config) -> Result<AppState, OpenError> {
    if config.database_url.is_none() {
        let _ = std::fs::create_dir_all(&config.data_dir);
    }
    config.dispatch.check().map_err(OpenError::Config)?;
    config
        .snapping
        .check()
        .map_err(|e| OpenError::Config(format!("snapping: {e}")))?;
    config
        .upstream
        .check()
        .map_err(|e| OpenError::Config(e.to_string()))?;
    let db = db::Db::connect(&config.database_url()).await?;
    registry::store::ensure_dictionaries(&db).await?;
    plans::store::ensure_seeded(&db).await?;
    let graph = match &config.routing_graph {
        Some(p) => {
            let path = p.clone();
            let ch = tokio::task::spawn_blocking(move || yingji_routing::Ch::load(&path))
                .await
                .map_err(|e| OpenError::Graph {
                    path: p.display().to_string(),
                    source: yingji_routing::Error::InvalidArgument(e.to_string()),
                })?
                .map_err(|source| OpenError::Graph {
                    path: p.display().to_string(),
                    source,
                })?;
            Some(std::sync::Arc::new(ch))
        }
        None => None,
    };
    let mut state = AppState::new(db, config).await?;
    state.routing = graph;
    Ok(state)
}
