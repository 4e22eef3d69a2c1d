//! The demo's message gateway: a local stand-in for the carrier's SMS
//! gateway and the cell-broadcast centre, which `yingji demo` starts on
//! 127.0.0.1 when the configuration names neither, so a warning published
//! in the demo is delivered and its coverage shows real figures. It accepts
//! every message and sends nothing anywhere.

use std::net::SocketAddr;

use axum::http::StatusCode;
use axum::routing::post;
use serde_json::json;
use yingji_channels::{CellBroadcastConfig, SmsConfig};

/// Start the gateway on an ephemeral port of 127.0.0.1. Returns its address.
pub async fn start() -> std::io::Result<SocketAddr> {
    let app = axum::Router::new()
        .route(
            "/sms",
            post(|| async { axum::Json(json!({ "code": "0" })) }),
        )
        .route("/cbc", post(|| async { StatusCode::CREATED }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::warn!(error = %e, "demo gateway stopped");
        }
    });
    Ok(addr)
}

/// The SMS channel pointed at the gateway: a JSON body, success on
/// `{"code": "0"}`.
pub fn sms(addr: SocketAddr) -> Result<SmsConfig, serde_json::Error> {
    serde_json::from_value(json!({
        "url": format!("http://{addr}/sms"),
        "sign": "大同应急",
        "body": { "format": "json", "template": { "phone": "{phone}", "content": "{text}", "key": "{key}" } },
        "success": { "pointer": "/code", "equals": "0" }
    }))
}

/// The cell-broadcast channel pointed at the gateway.
pub fn cell_broadcast(addr: SocketAddr) -> CellBroadcastConfig {
    CellBroadcastConfig {
        url: format!("http://{addr}/cbc"),
        ..Default::default()
    }
}
