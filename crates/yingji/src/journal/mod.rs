//! The journal: an append-only, hash-chained event log.
//!
//! Every state change in the platform appends an entry in the same database
//! transaction as the change itself. Each entry's hash covers its fields and
//! the previous entry's hash, so editing, deleting or reordering any entry
//! breaks the chain and `yingji verify` finds it. The journal is at once the
//! audit trail, the timeline of a record, the live feed (SSE) and the outbox
//! that side-effect workers read. `anchor` publishes the signed head outside
//! the database, so a truncated or wholly rewritten chain is caught too.

pub mod anchor;
pub mod api;
mod jobs;
mod store;

pub use jobs::{Feed, Subscription};
pub use store::{append, head, list, verify, verify_with, Checkpoint, ListFilter, VerifyReport};

use serde::Serialize;
use sha2::{Digest, Sha256};

/// A change about to be written.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub actor: String,
    /// Division code of the record the change concerns (for scoping reads).
    pub jurisdiction: String,
    pub module: &'static str,
    pub entity: String,
    pub entity_id: String,
    pub kind: &'static str,
    pub payload: serde_json::Value,
}

/// A written entry.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Entry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub jurisdiction: String,
    pub module: String,
    pub entity: String,
    pub entity_id: String,
    pub kind: String,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry: SHA-256 over every field, each length-prefixed so
/// no two different entries encode alike.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    seq: i64,
    at: &str,
    actor: &str,
    jurisdiction: &str,
    module: &str,
    entity: &str,
    entity_id: &str,
    kind: &str,
    payload: &str,
    prev_hash: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(seq.to_be_bytes());
    for field in [
        at,
        actor,
        jurisdiction,
        module,
        entity,
        entity_id,
        kind,
        payload,
        prev_hash,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

impl Entry {
    pub fn computed_hash(&self, payload_text: &str) -> String {
        entry_hash(
            self.seq,
            &self.at,
            &self.actor,
            &self.jurisdiction,
            &self.module,
            &self.entity,
            &self.entity_id,
            &self.kind,
            payload_text,
            &self.prev_hash,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_changes_with_every_field() {
        let base = entry_hash(1, "t", "a", "j", "m", "e", "i", "k", "{}", "p");
        let variants = [
            entry_hash(2, "t", "a", "j", "m", "e", "i", "k", "{}", "p"),
            entry_hash(1, "u", "a", "j", "m", "e", "i", "k", "{}", "p"),
            entry_hash(1, "t", "b", "j", "m", "e", "i", "k", "{}", "p"),
            entry_hash(1, "t", "a", "x", "m", "e", "i", "k", "{}", "p"),
            entry_hash(1, "t", "a", "j", "n", "e", "i", "k", "{}", "p"),
            entry_hash(1, "t", "a", "j", "m", "f", "i", "k", "{}", "p"),
            entry_hash(1, "t", "a", "j", "m", "e", "j", "k", "{}", "p"),
            entry_hash(1, "t", "a", "j", "m", "e", "i", "l", "{}", "p"),
            entry_hash(1, "t", "a", "j", "m", "e", "i", "k", "[]", "p"),
            entry_hash(1, "t", "a", "j", "m", "e", "i", "k", "{}", "q"),
        ];
        for v in variants {
            assert_ne!(base, v);
        }
        // Length prefixes: moving a character between fields changes the hash.
        assert_ne!(
            entry_hash(1, "ab", "c", "j", "m", "e", "i", "k", "{}", "p"),
            entry_hash(1, "a", "bc", "j", "m", "e", "i", "k", "{}", "p")
        );
    }
}
