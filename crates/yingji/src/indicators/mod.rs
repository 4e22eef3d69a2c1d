//! 核心指标: the plan's six core indicators (专栏1) computed from the report
//! data plus a yearly statistics table (GDP, population, raw-coal output).

pub mod api;
pub mod model;
pub mod rules;
pub mod store;
