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
mod change;
mod jobs;
mod store;

pub use change::Change;
pub use jobs::{Feed, Subscription};
pub use store::{
    forget_personal, head, list, verify, verify_with, Checkpoint, ListFilter, VerifyReport,
};

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The payload key under which a change hands the journal the personal
/// data it concerns. The journal keeps that data beside the entry and
/// hashes only a salted digest of it, so erasing a person's data later
/// ([`forget_personal`]) leaves the chain whole. A top-level `attrs` object
/// in it is merged into the payload's `attrs`.
pub const PERSONAL_KEY: &str = "$personal";

/// Salted digest of personal data kept beside an entry.
pub fn personal_digest(salt: &str, data: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(b"\n");
    h.update(data.as_bytes());
    hex::encode(h.finalize())
}

fn new_salt() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// Merge personal data back into a payload (replacing the reference), or
/// mark it erased when there is none.
pub fn merge_personal(payload: &mut serde_json::Value, data: Option<&serde_json::Value>) {
    let Some(o) = payload.as_object_mut() else {
        return;
    };
    match data.and_then(|d| d.as_object()) {
        None => {
            o.insert(PERSONAL_KEY.into(), "erased".into());
        }
        Some(d) => {
            o.remove(PERSONAL_KEY);
            for (k, v) in d {
                match (k.as_str(), v, o.get_mut("attrs")) {
                    ("attrs", serde_json::Value::Object(a), Some(serde_json::Value::Object(t))) => {
                        for (ak, av) in a {
                            t.insert(ak.clone(), av.clone());
                        }
                    }
                    _ => {
                        o.insert(k.clone(), v.clone());
                    }
                }
            }
        }
    }
}

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

impl NewEntry {
    /// The entry of a change by `actor` to `entity` `id` of `module`, in
    /// the division `jurisdiction`.
    pub fn new(
        actor: &str,
        module: &'static str,
        jurisdiction: &str,
        entity: &str,
        id: impl ToString,
        kind: &'static str,
        payload: serde_json::Value,
    ) -> NewEntry {
        NewEntry {
            actor: actor.to_string(),
            jurisdiction: jurisdiction.to_string(),
            module,
            entity: entity.to_string(),
            entity_id: id.to_string(),
            kind,
            payload,
        }
    }
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
