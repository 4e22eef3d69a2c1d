//! The OpenAPI document, generated from the handlers' annotations.

use axum::Router;
use utoipa::OpenApi;

use super::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "yingji 应急指挥平台 API", description = "Emergency-management command platform. Errors are RFC 9457 problem JSON naming the bad field."),
    paths(
        super::healthz,
        super::map_config,
        crate::auth::api::login,
        crate::auth::api::logout,
        crate::auth::api::me,
        crate::divisions::api::children,
        crate::divisions::api::boundaries,
        crate::registry::api::schemas,
        crate::registry::api::list,
        crate::registry::api::get_one,
        crate::registry::api::create,
        crate::registry::api::update,
        crate::registry::api::remove,
        crate::registry::api::layer,
        crate::registry::api::export,
        crate::registry::api::template,
        crate::registry::api::import,
        crate::registry::api::counts,
        crate::journal::api::page,
        crate::journal::api::stream,
    ),
    tags(
        (name = "auth", description = "Sessions and the current user"),
        (name = "divisions", description = "行政区划"),
        (name = "registries", description = "Teams, experts, equipment, warehouses, shelters, enterprises, hazard sources, monitoring points"),
        (name = "journal", description = "The hash-chained audit journal and live feed"),
    )
)]
pub struct ApiDoc;

pub fn routes() -> Router<AppState> {
    Router::new().merge(
        utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()),
    )
}
