//! Router assembly, shared state, static web assets, OpenAPI, health.

pub mod error;
pub mod limit;
mod openapi;
mod web;

pub use error::{ApiError, FieldError, Json, Query};
pub use openapi::openapi_json;

use std::sync::{Arc, RwLock};

use axum::routing::get;
use axum::Router;

use crate::config::Config;
use crate::db::Db;
use crate::divisions::Tree;
use crate::journal::Feed;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub feed: Feed,
    tree: Arc<RwLock<Arc<Tree>>>,
    pub throttle: Arc<crate::auth::api::IpThrottle>,
    /// Exports per user and hour (see [`limit`]).
    pub exports: Arc<limit::ExportLimiter>,
    /// The road graph, when one is configured.
    pub routing: Option<Arc<yingji_routing::Ch>>,
    /// Upstream CAP sources' read state.
    pub upstream: crate::upstream::jobs::Sources,
    /// This node's id among several on one PostgreSQL (`[cluster] node_id`).
    pub node_id: Arc<str>,
}

impl AppState {
    pub async fn new(db: Db, config: Config) -> Result<AppState, crate::db::DbError> {
        let tree = crate::divisions::store::load_tree(&db).await?;
        let node_id = config.cluster.resolve_node_id().into();
        Ok(AppState {
            db,
            node_id,
            routing: None,
            config: Arc::new(config),
            feed: Feed::default(),
            tree: Arc::new(RwLock::new(Arc::new(tree))),
            throttle: Arc::default(),
            exports: Arc::default(),
            upstream: Default::default(),
        })
    }

    /// The division tree as of now (cheap clone of an Arc).
    pub fn tree(&self) -> Arc<Tree> {
        match self.tree.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reload the division tree after an import.
    pub async fn reload_tree(&self) -> Result<(), crate::db::DbError> {
        let t = Arc::new(crate::divisions::store::load_tree(&self.db).await?);
        match self.tree.write() {
            Ok(mut g) => *g = t,
            Err(poisoned) => *poisoned.into_inner() = t,
        }
        Ok(())
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let max_import = state.config.max_import_mb * 1024 * 1024;
    let api = Router::new()
        .merge(crate::auth::api::routes())
        .merge(crate::divisions::api::routes())
        .merge(crate::registry::api::routes(max_import))
        .merge(crate::journal::api::routes())
        .merge(crate::reports::api::routes())
        .merge(crate::indicators::api::routes())
        .merge(crate::routing_api::routes())
        .merge(crate::dispatch::api::routes())
        .merge(crate::incidents::api::routes())
        .merge(crate::warnings::api::routes())
        .merge(crate::upstream::api::routes())
        .merge(crate::attention::api::routes())
        .merge(crate::attachments::api::routes())
        .merge(crate::duty::api::routes())
        .merge(crate::plans::api::routes())
        .route("/map/config", get(map_config))
        .layer(axum::middleware::from_fn(crate::auth::api::attribution))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit::exports,
        ))
        .layer(axum::middleware::from_fn(error::problem_layer));
    let csp = error::content_security_policy(&state.config.map);
    Router::new()
        .route("/healthz", get(healthz))
        .nest("/api/v1", api)
        .merge(openapi::routes())
        .fallback(web::static_handler)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            error::panic_response,
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                axum::http::header::CONTENT_SECURITY_POLICY,
                csp,
            ),
        )
        .layer(
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                axum::http::header::X_CONTENT_TYPE_OPTIONS,
                axum::http::HeaderValue::from_static("nosniff"),
            ),
        )
        .layer(
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                axum::http::header::X_FRAME_OPTIONS,
                axum::http::HeaderValue::from_static("DENY"),
            ),
        )
        .with_state(state)
}

#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, description = "The service is up")))]
async fn healthz(
    axum::extract::State(s): axum::extract::State<AppState>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    sqlx::query("SELECT 1")
        .execute(s.db.pool())
        .await
        .map_err(crate::db::DbError::from)?;
    Ok(axum::Json(serde_json::json!({ "status": "ok" })))
}

#[utoipa::path(get, path = "/api/v1/map/config", tag = "map", responses((status = 200, body = crate::config::MapConfig)))]
async fn map_config(
    axum::extract::State(s): axum::extract::State<AppState>,
    p: crate::auth::Principal,
) -> Result<axum::Json<crate::config::MapConfig>, ApiError> {
    crate::auth::authorize(&p, crate::auth::Action::Read, "divisions")?;
    Ok(axum::Json(s.config.map.clone()))
}

/// Bind and serve until Ctrl-C / SIGTERM.
///
/// Several nodes may serve one PostgreSQL database (see `crate::cluster`):
/// the deadline monitor and the upstream readers run on one node at a time,
/// the delivery worker on every node (deliveries are leased).
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let anchors = crate::journal::anchor::spawn(&state).map_err(std::io::Error::other)?;
    if let Err(e) = crate::cluster::register(&state).await {
        tracing::warn!(error = %e, "registering the node failed");
    }
    let heartbeat = crate::cluster::spawn_heartbeat(&state);
    let monitor = crate::reports::jobs::spawn(state.clone(), std::time::Duration::from_secs(60));
    let outbox = crate::warnings::jobs::spawn(state.clone());
    let readers = crate::upstream::jobs::spawn(&state);
    let app = router(state);
    let result = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    monitor.abort();
    if let Some(h) = heartbeat {
        h.abort();
    }
    if let Some(o) = outbox {
        o.abort();
    }
    for r in readers {
        r.abort();
    }
    if let Some(a) = anchors {
        a.stop().await;
    }
    result
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
