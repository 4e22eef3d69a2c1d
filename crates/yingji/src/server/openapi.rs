//! The OpenAPI document, generated from the handlers' annotations.

use axum::Router;
use utoipa::OpenApi;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    modifiers(&UniqueOperationIds),
    info(title = "yingji 应急指挥平台 API", description = "Emergency-management command platform. Errors are RFC 9457 problem JSON naming the bad field."),
    paths(
        super::healthz,
        super::map_config,
        crate::auth::api::login,
        crate::auth::api::logout,
        crate::auth::api::me,
        crate::auth::admin::list_users,
        crate::auth::admin::disable_user,
        crate::auth::admin::enable_user,
        crate::auth::admin::reset_user_password,
        crate::auth::admin::change_user_role,
        crate::auth::admin::list_user_tokens,
        crate::auth::admin::create_user_token,
        crate::auth::admin::revoke_user_token,
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
        crate::directory::api::directory,
        crate::places::api::places,
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
        crate::reports::api::notify_accident,
        crate::reports::api_investigation::open,
        crate::reports::api_investigation::event,
        crate::reports::api::overdue,
        crate::reports::api::set_calendar_day,
        crate::reports::api::export_disaster,
        crate::reports::api::bulletin_docx,
        crate::indicators::api::indicators,
        crate::routing_api::route,
        crate::routing_api::matrix,
        crate::routing_api::isochrone,
        crate::dispatch::api::nearest,
        crate::dispatch::api::coverage,
        crate::incidents::api::types,
        crate::incidents::api::list,
        crate::incidents::api::create,
        crate::incidents::api::duplicates,
        crate::incidents::api::add_call,
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
        crate::warnings::api::cap_preview,
        crate::warnings::api::coverage,
        crate::warnings::api::feed,
        crate::warnings::api::cap_file,
        crate::plans::api::list,
        crate::plans::api::create,
        crate::plans::api::detail,
        crate::plans::api::version,
        crate::plans::api::edit,
        crate::plans::api::publish,
        crate::plans::api::revise,
        crate::plans::api::evaluate,
        crate::plans::api::file_version,
        crate::plans::api::drills,
        crate::plans::api::plan_drill,
        crate::plans::api::edit_drill,
        crate::plans::api::drill_event,
        crate::plans::api::improvements,
        crate::plans::api::improvement_event,
        crate::plans::api::commands,
        crate::plans::api::departments,
        crate::plans::api::triggers,
        crate::indicators::api::export,
        crate::indicators::api::statistics,
        crate::indicators::api::import_statistics,
        crate::attachments::api::upload,
        crate::attachments::api::download,
        crate::duty::api::users,
        crate::duty::api::list_shifts,
        crate::duty::api::get_shift,
        crate::duty::api::create_shift,
        crate::duty::api::edit_shift,
        crate::duty::api::shift_event,
        crate::duty::api::now_on_duty,
        crate::duty::api::list_log,
        crate::duty::api::export_log,
        crate::duty::api::daily_docx,
        crate::duty::api::add_log,
        crate::upstream::api::list,
        crate::upstream::api::layer,
        crate::upstream::api::detail,
        crate::upstream::api::cap,
        crate::upstream::api::relay,
        crate::upstream::api::sources,
        crate::upstream::api::read_now,
        crate::attention::api::get_attention,
        crate::supervision::api::list_risk_points,
        crate::supervision::api::get_risk_point,
        crate::supervision::api::create_risk_point,
        crate::supervision::api::edit_risk_point,
        crate::supervision::api::enterprise_risk,
        crate::supervision::api::list_hazards,
        crate::supervision::api::get_hazard,
        crate::supervision::api::report_hazard,
        crate::supervision::api::hazard_event,
        crate::centre::api::list_tokens,
        crate::centre::api::create_token,
        crate::centre::api::revoke_token,
        crate::centre::api::open_display,
        crate::centre::api::display_me,
        crate::centre::api::en_route,
        crate::supplies::api::list_items,
        crate::supplies::api::create_item,
        crate::supplies::api::list_warehouses,
        crate::supplies::api::list_stock,
        crate::supplies::api::export_stock,
        crate::supplies::api::set_minimum,
        crate::supplies::api::list_alerts,
        crate::supplies::api::check,
        crate::supplies::api::list_documents,
        crate::supplies::api::get_document,
        crate::supplies::api::create_document,
        crate::supplies::api::document_event,
        crate::supplies::api::delete_document,
        crate::supplies::api::reverse_document,
        crate::supplies::requests::api::list_requests,
        crate::supplies::requests::api::get_request,
        crate::supplies::requests::api::create_request,
        crate::supplies::requests::api::get_proposal,
        crate::supplies::requests::api::request_event,
        crate::supplies::shipments::api::list_shipments,
        crate::supplies::shipments::api::get_shipment,
        crate::supplies::shipments::api::create_shipment,
        crate::supplies::shipments::api::shipment_event,
        crate::supplies::shipments::api::incident_flow,
        crate::supplies::card::api::get_card,
        crate::supplies::card::api::export_card,
        crate::supplies::stocktake::api::import_count,
        crate::supplies::distributions::api::create_distribution,
        crate::supplies::distributions::api::get_distribution,
        crate::supplies::distributions::api::sign_household,
        crate::supplies::distributions::api::export_distribution,
        crate::shelters::api::list_shelters,
        crate::shelters::api::get_shelter,
        crate::shelters::api::open_shelter,
        crate::shelters::api::close_shelter,
        crate::shelters::api::check_in_household,
        crate::shelters::api::check_out_household,
        crate::consultations::api::list,
        crate::consultations::api::create,
        crate::consultations::api::get_one,
        crate::consultations::api::event,
        crate::consultations::api::to_instruction,
        crate::consultations::api::minutes_docx,
        crate::monitoring::api::list_devices,
        crate::monitoring::api::create_device,
        crate::monitoring::api::edit_device,
        crate::monitoring::api::rotate_token,
        crate::monitoring::api::list_sensors,
        crate::monitoring::api::get_sensor,
        crate::monitoring::api::create_sensor,
        crate::monitoring::api::edit_sensor,
        crate::monitoring::api::series,
        crate::monitoring::api::preview,
        crate::monitoring::api::ingest,
        crate::monitoring::api::list_alarms,
        crate::monitoring::api::get_alarm,
        crate::monitoring::api::alarm_event,
        crate::monitoring::api::open_incident,
        crate::supervision::api_major::catalogue,
        crate::supervision::api_major::worksheet,
        crate::supervision::api_major::list_units,
        crate::supervision::api_major::get_unit,
        crate::supervision::api_major::create_unit,
        crate::supervision::api_major::edit_unit,
        crate::supervision::api_inspections::pool,
        crate::supervision::api_inspections::make_draw,
        crate::supervision::api_inspections::list_draws,
        crate::supervision::api_inspections::get_draw,
        crate::supervision::api_inspections::list_inspections,
        crate::supervision::api_inspections::get_inspection,
        crate::supervision::api_inspections::inspection_event,
        crate::supervision::api_inspections::add_finding,
        crate::supervision::api_inspections::finding_to_hazard,
        crate::supervision::api_stats::table,
        crate::supervision::api_stats::export,
        crate::supervision::api_map::risk_map,
        crate::supervision::api_checklists::list_templates,
        crate::supervision::api_checklists::get_template,
        crate::supervision::api_checklists::create_template,
        crate::supervision::api_checklists::edit_template,
        crate::supervision::api_checklists::fill_checks,
        crate::supervision::api_checklists::item_to_hazard,
    ),
    // Stored as JSON inside a typed body (`UpstreamAlert.summary`).
    components(schemas(crate::upstream::Summary)),
    tags(
        (name = "auth", description = "Sessions and the current user"),
        (name = "users", description = "用户管理 (admins, within their jurisdiction): disable/enable, password reset, role changes, API tokens"),
        (name = "divisions", description = "行政区划"),
        (name = "directory", description = "通讯录: the phones of contacts, teams, experts, enterprises, shelters, warehouses and villages in one search"),
        (name = "places", description = "地点搜索: divisions and located registry records by name, for intake and the map"),
        (name = "registries", description = "Teams, experts, equipment, warehouses, shelters, enterprises, hazard sources, monitoring points"),
        (name = "journal", description = "The hash-chained audit journal and live feed"),
        (name = "reports", description = "灾情报送与生产安全事故报告, deadlines"),
        (name = "indicators", description = "核心指标 (专栏1) and statistics"),
        (name = "routing", description = "Road routing on the configured graph"),
        (name = "incidents", description = "指挥救援: incidents, plans, instructions, dispatch orders"),
        (name = "plans", description = "数字预案: stored versions, evaluations, drills, improvement items, commands and departments"),
        (name = "warnings", description = "预警信息发布: drafts, approval, CAP 1.2 publication, the public CAP feed"),
        (name = "dispatch", description = "就近调配: nearest resources, coverage and station siting"),
        (name = "attachments", description = "附件: photos and PDFs used by incidents, instruction feedback and the duty log"),
        (name = "duty", description = "值班值守: rosters, handover, the duty log"),
        (name = "supervision", description = "监督管理: enterprises' risk points in four colours (LEC, risk matrix) and the hidden-hazard loop (隐患: 定级, 整改, 挂牌督办, 验收, 销号)"),
        (name = "centre", description = "指挥中心: read-only display tokens of the wall display (大屏) and the situation (resources under way)"),
        (name = "supplies", description = "救灾物资: the item catalogue (GB/T 38565-2020), a double-entry stock ledger on the warehouses (入库, 出库, 调拨, 盘点, 报损, 冲销), batches first-expiry-first-out, alerts"),
        (name = "consultations", description = "调度会商: sessions linked to an incident or a warning, invitees from the directory, agenda, attendance, minutes, decisions that become instructions, the 会商纪要 as .docx"),
        (name = "shelters", description = "避难场所启用: opening and closing, households in and out, occupancy and per-person area (GB 21734-2008 §5.4)"),
        (name = "monitoring", description = "监测预警: devices (per-device tokens), sensors on monitoring points, reading ingest (HTTP; MQTT in operations.md), series, alarms (确认, 解除, 误报, 转事件)"),
        (name = "supervision", description = "监督管理: enterprises' risk points in four colours (LEC, risk matrix) and the hidden-hazard loop (隐患: 定级, 整改, 挂牌督办, 验收, 销号); 重大危险源 by GB 18218-2018; 双随机 inspections; statistics"),
    )
)]
pub struct ApiDoc;

/// utoipa names an operation after its handler function, so `list`,
/// `detail`, `create`… of several modules collide; generators (and the
/// OpenAPI spec) want unique ids. A name used more than once becomes
/// `<first path segment>_<name>` (`/api/v1/plans` → `plans_list`), and the
/// rare clash after that `<method>_<whole path>`.
struct UniqueOperationIds;

impl utoipa::Modify for UniqueOperationIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use std::collections::BTreeMap;
        use utoipa::openapi::path::Operation;
        fn snake(s: &str) -> String {
            s.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect::<String>()
                .split('_')
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("_")
        }
        fn ops(item: &mut utoipa::openapi::PathItem) -> Vec<(&'static str, &mut Operation)> {
            [
                ("get", item.get.as_mut()),
                ("put", item.put.as_mut()),
                ("post", item.post.as_mut()),
                ("delete", item.delete.as_mut()),
                ("patch", item.patch.as_mut()),
            ]
            .into_iter()
            .filter_map(|(m, o)| o.map(|o| (m, o)))
            .collect()
        }
        type Rename = fn(&str, &str, &str) -> String;
        let renames: [Rename; 2] = [
            |path, _, name| {
                let rest = path.strip_prefix("/api/v1/").unwrap_or(path);
                let first = rest.trim_start_matches('/').split('/').next().unwrap_or("");
                format!("{}_{name}", snake(first))
            },
            |path, method, _| {
                format!(
                    "{method}_{}",
                    snake(path.strip_prefix("/api/v1").unwrap_or(path))
                )
            },
        ];
        for rename in renames {
            let mut count: BTreeMap<String, usize> = BTreeMap::new();
            for item in openapi.paths.paths.values_mut() {
                for (_, op) in ops(item) {
                    if let Some(id) = &op.operation_id {
                        *count.entry(id.clone()).or_default() += 1;
                    }
                }
            }
            for (path, item) in openapi.paths.paths.iter_mut() {
                for (method, op) in ops(item) {
                    if let Some(id) = &op.operation_id {
                        if count.get(id).is_some_and(|&n| n > 1) {
                            op.operation_id = Some(rename(path, method, id));
                        }
                    }
                }
            }
        }
    }
}

/// The document as pretty JSON with every object's keys sorted and a final
/// newline: what `yingji openapi` prints and `web/src/api/openapi.json` holds
/// (the web UI's types are generated from it).
pub fn openapi_json() -> Result<String, serde_json::Error> {
    fn sorted(v: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match v {
            Value::Object(m) => {
                let mut entries: Vec<(String, Value)> = m.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
            }
            Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
            other => other,
        }
    }
    let doc = sorted(serde_json::to_value(ApiDoc::openapi())?);
    Ok(serde_json::to_string_pretty(&doc)? + "\n")
}

pub fn routes() -> Router<AppState> {
    Router::new().merge(
        utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()),
    )
}
