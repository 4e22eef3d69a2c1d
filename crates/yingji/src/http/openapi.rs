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
        crate::reports::api::create_disaster,
        crate::reports::api::list_disasters,
        crate::reports::api::get_disaster,
        crate::reports::api::submit_report,
        crate::reports::api::mark_stable,
        crate::reports::api::create_accident,
        crate::reports::api::get_accident,
        crate::reports::api::list_accidents,
        crate::reports::api::update_accident,
        crate::reports::api::forward_accident,
        crate::reports::api::extend_investigation,
        crate::reports::api::investigation_done,
        crate::reports::api::overdue,
        crate::reports::api::set_calendar_day,
        crate::reports::api::export_disaster,
        crate::indicators::api::indicators,
        crate::routing_api::route,
        crate::routing_api::isochrone,
        crate::dispatch::api::nearest,
        crate::dispatch::api::coverage,
        crate::incidents::api::types,
        crate::incidents::api::plans,
        crate::incidents::api::list,
        crate::incidents::api::create,
        crate::incidents::api::detail,
        crate::incidents::api::event,
        crate::incidents::api::update_facts,
        crate::incidents::api::helped,
        crate::incidents::api::issue,
        crate::incidents::api::instruction_event,
        crate::incidents::api::request_dispatch,
        crate::incidents::api::order_event,
        crate::warnings::api::templates,
        crate::warnings::api::targeting,
        crate::warnings::api::list,
        crate::warnings::api::create,
        crate::warnings::api::detail,
        crate::warnings::api::edit,
        crate::warnings::api::event,
        crate::warnings::api::revise,
        crate::warnings::api::cancel,
        crate::warnings::api::deliveries,
        crate::warnings::api::feed,
        crate::warnings::api::cap_file,
        crate::indicators::api::export,
        crate::indicators::api::statistics,
        crate::indicators::api::import_statistics,
    ),
    tags(
        (name = "auth", description = "Sessions and the current user"),
        (name = "divisions", description = "行政区划"),
        (name = "registries", description = "Teams, experts, equipment, warehouses, shelters, enterprises, hazard sources, monitoring points"),
        (name = "journal", description = "The hash-chained audit journal and live feed"),
        (name = "reports", description = "灾情报送与生产安全事故报告, deadlines"),
        (name = "indicators", description = "核心指标 (专栏1) and statistics"),
        (name = "routing", description = "Road routing on the configured graph"),
        (name = "incidents", description = "指挥救援: incidents, plans, instructions, dispatch orders"),
        (name = "warnings", description = "预警信息发布: drafts, approval, CAP 1.2 publication, the public CAP feed"),
        (name = "dispatch", description = "就近调配: nearest resources, coverage and station siting"),
    )
)]
pub struct ApiDoc;

pub fn routes() -> Router<AppState> {
    Router::new().merge(
        utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()),
    )
}
