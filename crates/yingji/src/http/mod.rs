//! The HTTP toolkit every module's `api.rs` uses: problem JSON errors,
//! the JSON and query extractors that name the bad field, rate limits. A
//! leaf: it knows no module's routes (those are assembled in `server`).

pub mod error;
pub mod limit;

pub use error::{ApiError, Json, Query};
