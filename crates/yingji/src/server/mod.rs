//! The composition root: the router of every module, the OpenAPI
//! document, the embedded web UI, the background jobs and `serve`. Nothing
//! in the crate imports this module except the binary's edge (`cli`).

mod openapi;
pub use openapi::openapi_json;
pub mod web;

use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use utoipa::OpenApi as _;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::http::{error, ApiError};
use crate::state::AppState;

/// The routes of every module under `/api/v1`, each with its OpenAPI
/// operations (every module's `api.rs` returns an `OpenApiRouter` whose
/// `routes!(…)` take the path and method from the handler's
/// `#[utoipa::path]`: a route cannot be served without being documented).
fn api(max_import: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
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
        .merge(crate::supervision::api::routes())
        .merge(crate::centre::api::routes())
        .merge(crate::supplies::api::routes())
        .merge(crate::shelters::api::routes())
        .merge(crate::consultations::api::routes())
        .merge(crate::monitoring::api::routes())
        .merge(crate::directory::api::routes())
        .merge(crate::places::api::routes())
        .routes(routes!(map_config))
}

/// The routes and their OpenAPI document: the API's and `/healthz`.
fn documented(api: OpenApiRouter<AppState>) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (api, mut doc) = api.split_for_parts();
    let (health, health_doc) = OpenApiRouter::new()
        .routes(routes!(healthz))
        .split_for_parts();
    doc.merge(health_doc);
    openapi::finish(&mut doc);
    (health.merge(api), doc)
}

/// The OpenAPI document of every route served (what `yingji openapi`
/// prints and `/api/openapi.json` answers).
pub fn openapi() -> utoipa::openapi::OpenApi {
    documented(api(0)).1
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let max_import = state.config.max_import_mb * 1024 * 1024;
    let (routes, doc) = documented(
        api(max_import)
            .layer(axum::middleware::from_fn(crate::auth::api::attribution))
            .layer(axum::middleware::from_fn_with_state(state.clone(), exports))
            .layer(axum::middleware::from_fn(error::problem_layer)),
    );
    let csp = error::content_security_policy(&state.config.map);
    routes
        .merge(openapi::routes(doc))
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

/// `GET /healthz`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` once the database answers.
    pub status: &'static str,
}

#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, body = Health, description = "The service is up")))]
async fn healthz(
    axum::extract::State(s): axum::extract::State<AppState>,
) -> Result<axum::Json<Health>, ApiError> {
    sqlx::query("SELECT 1")
        .execute(s.db.pool())
        .await
        .map_err(crate::db::DbError::from)?;
    Ok(axum::Json(Health { status: "ok" }))
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
    if let Err(e) = crate::cluster::register(&state.node()).await {
        tracing::warn!(error = %e, "registering the node failed");
    }
    let heartbeat = crate::cluster::spawn_heartbeat(&state.node());
    let monitor = crate::reports::jobs::spawn(state.clone(), std::time::Duration::from_secs(60));
    let outbox = crate::warnings::jobs::spawn(state.clone());
    let readers = crate::upstream::jobs::spawn(&state);
    let sensors = crate::monitoring::jobs::spawn(state.clone());
    let escalation =
        crate::supervision::jobs::spawn(state.clone(), std::time::Duration::from_secs(300));
    let app = router(state);
    let result = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    monitor.abort();
    escalation.abort();
    if let Some(h) = heartbeat {
        h.abort();
    }
    if let Some(o) = outbox {
        o.abort();
    }
    for r in readers.into_iter().chain(sensors) {
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

/// Middleware of the API: every path ending in `/export` counts against the
/// user's limit (`exports_per_hour`). Unauthenticated requests pass on to
/// the handler, which answers 401.
pub async fn exports(State(s): State<AppState>, req: Request, next: Next) -> Response {
    if !req.uri().path().ends_with("/export") {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    if let Ok(p) = crate::auth::Principal::from_request_parts(&mut parts, &s).await {
        let max = s.config.exports_per_hour;
        if let Err(wait) = s
            .exports
            .check(p.user_id, time::OffsetDateTime::now_utc(), max)
        {
            let minutes = (wait.whole_seconds() + 59) / 60;
            tracing::warn!(user = %p.username, "export rate limit reached");
            return ApiError::Throttled {
                minutes: minutes.max(1),
            }
            .into_response();
        }
    }
    next.run(Request::from_parts(parts, body)).await
}
