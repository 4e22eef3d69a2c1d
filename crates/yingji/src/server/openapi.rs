//! The OpenAPI document, generated from the handlers' annotations.

use axum::Router;
use utoipa::OpenApi;

use crate::state::AppState;

/// The document's frame: its title, the tags and the schemas no handler
/// names. The operations come from the modules' `OpenApiRouter`s
/// (`server::api`); `finish` names them apart.
#[derive(OpenApi)]
#[openapi(
    info(title = "yingji 应急指挥平台 API", description = "Emergency-management command platform. Errors are RFC 9457 problem JSON naming the bad field."),
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
pub(super) struct ApiDoc;

/// What the document needs once every module's operations are in.
pub(super) fn finish(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::Modify;
    UniqueOperationIds.modify(doc);
}

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
    let doc = sorted(serde_json::to_value(super::openapi())?);
    Ok(serde_json::to_string_pretty(&doc)? + "\n")
}

/// Swagger UI at `/api/docs` and the document at `/api/openapi.json`
/// (not in the document themselves).
pub(super) fn routes(doc: utoipa::openapi::OpenApi) -> Router<AppState> {
    Router::new()
        .merge(utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
}
