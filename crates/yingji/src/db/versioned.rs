//! Records with an optimistic version: every such table has a `version`
//! column that each update raises by one, `WHERE id = … AND version = read`.
//! A writer that read version 3 cannot overwrite what another wrote as
//! version 4: its update matches no row and the change answers
//! [`DbError::Stale`] (HTTP 409).
//!
//! A record type implements [`Versioned`] once, in its module's store; every
//! write of it is then `change.save(&record)` (see `journal::Change::save`)
//! and every command carrying the version the user saw checks it with
//! [`Versioned::expect_version`] (or [`Versioned::expect_sent`] where the
//! body's version is optional, as in an edit that shares its body with the
//! create).

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

    /// The version a user sent with an edit, where the body's `version` is
    /// optional (the create shares the body): it must be there
    /// ([`SentVersion::Missing`], 422 `version_required`) and be the one
    /// read ([`SentVersion::Stale`], 409).
    fn expect_sent(&self, sent: Option<i64>) -> Result<(), SentVersion> {
        match sent {
            None => Err(SentVersion::Missing),
            Some(v) if v == self.version() => Ok(()),
            Some(_) => Err(SentVersion::Stale),
        }
    }
}

/// Why the version sent with an edit is not the one read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SentVersion {
    /// No version sent.
    #[error("a change must carry the version it was read at")]
    Missing,
    /// Another version than the one read: someone changed it since.
    #[error("the record was changed by someone else since it was read")]
    Stale,
}
