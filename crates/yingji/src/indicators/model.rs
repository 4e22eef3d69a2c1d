//! The indicators module's records, typed: its own yearly statistics row, and
//! the facts it reads from the reporting tables (times as `UtcText`, figures
//! as typed JSON), each read by `#[derive(sqlx::FromRow)]`.

use crate::db::{JsonText, UtcText};
use crate::reports::figures::Figures;

/// One division's yearly statistics (the `statistics` table).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Statistics {
    pub division: String,
    pub year: i64,
    /// GDP, 亿元.
    pub gdp_yi: Option<f64>,
    pub population: Option<f64>,
    /// Raw-coal output, 万吨.
    pub raw_coal_wt: Option<f64>,
    /// 生产安全事故死亡人数 as stated by the statistics (counted outside
    /// yingji: the 2019 baseline, years not all recorded here).
    pub safety_deaths: Option<f64>,
    /// 其中煤矿事故死亡人数, as stated.
    pub coal_deaths: Option<f64>,
    /// 因自然灾害死亡失踪人数, as stated.
    pub disaster_dead_missing: Option<f64>,
}

/// What an indicator needs of an accident.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccidentFact {
    pub id: i64,
    pub occurred_at: UtcText,
    pub industry: String,
    pub deaths: i64,
    /// 下落不明: counted with the dead (see `store::facts`).
    pub missing: i64,
}

/// What an indicator needs of a county's disaster report (with its
/// disaster's onset).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CountyReportFact {
    pub disaster_id: i64,
    pub onset: UtcText,
    pub kind: String,
    pub division: String,
    pub figures: JsonText<Figures>,
}
