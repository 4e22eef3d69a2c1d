//! 灾情管理: natural-disaster reports (初报/续报/核报) up the 村→乡→县→市
//! chain and production-safety accident reports, with the legal deadlines
//! that enforce themselves.
//!
//! Rules live in pure submodules: [`grading`] (493号令 accident grades),
//! [`deadlines`] (every time limit, configurable, with a working-day
//! calendar) and [`figures`] (indicator validation and consistency rules).

pub mod deadlines;
pub mod figures;
pub mod grading;
