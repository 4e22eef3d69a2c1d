//! 核心指标: the plan's six core indicators (专栏1) computed from data.

pub mod rules;
