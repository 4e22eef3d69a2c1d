//! Records with an optimistic version: every such table has a `version`
//! column that each update raises by one, `WHERE id = … AND version = read`.
//! A writer that read version 3 cannot overwrite what another wrote as
//! version 4: its update matches no row and the change answers
//! [`DbError::Stale`] (HTTP 409).
//!
//! A record type implements [`Versioned`] once, in its module's store; every
//! write of it is then `change.save(&record)` (see `journal::Change::save`)
//! and every command carrying the version the user saw checks it with
//! [`Versioned::expect_version`].

use std::future::Future;

use super::{DbError, Tx};

pub trait Versioned: Sync {
    /// The version this copy was read at.
    fn version(&self) -> i64;

    /// Write this copy over the stored row when the row is still at version
    /// `read`, raising its version; true when a row was written.
    fn write(&self, tx: &mut Tx, read: i64) -> impl Future<Output = Result<bool, DbError>> + Send;

    /// The version a user sent with a command must be the one read.
    fn expect_version(&self, sent: i64) -> Result<(), DbError> {
        if self.version() == sent {
            Ok(())
        } else {
            Err(DbError::Stale)
        }
    }
}
