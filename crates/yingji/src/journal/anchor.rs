//! Journal anchoring: the head (sequence and hash), with the time and the
//! node, published outside the database and signed with an Ed25519 key kept
//! outside it too.
//!
//! The hash chain catches an edited, deleted or reordered entry, but not a
//! truncated tail with the head adjusted, nor a whole chain rewritten and
//! re-hashed consistently: whoever can write the database can do both. An
//! anchor is a claim "entry SEQ had hash H", which `yingji verify` checks
//! against the chain (`store::verify_with`); the anchors live in a directory
//! the database administrator cannot rewrite (a write-once mount, another
//! host) and their signatures show they came from this platform's key.
//!
//! One anchor is a JSON line in `<dir>/anchors.jsonl`:
//! `{"seq":…,"hash":"…","at":"…","node":"…","sig":"…"}`, the signature (hex)
//! over [`message`]. Signing and verifying use `ring`, already in the tree
//! through rustls.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use super::store::{head, Checkpoint};
use crate::clock::format_time;
use crate::config::Config;
use crate::db::{Db, DbError};

/// The file the publisher appends to (verification reads every `*.jsonl`).
pub const FILE: &str = "anchors.jsonl";

#[derive(Debug, thiserror::Error)]
pub enum AnchorError {
    #[error("anchor key {path}: {message}")]
    Key { path: String, message: String },
    #[error("anchor file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("public key: {0}")]
    PublicKey(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> AnchorError + '_ {
    move |source| AnchorError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The signing key.
pub struct Key {
    pair: Ed25519KeyPair,
}

const PEM_BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
const PEM_END: &str = "-----END PRIVATE KEY-----";
/// DER of `PrivateKeyInfo { version 0, id-Ed25519, OCTET STRING { OCTET STRING (32) } }`.
const PKCS8_V1_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

impl Key {
    /// Read the key file (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519`
    /// writes it).
    pub fn load(path: &Path) -> Result<Key, AnchorError> {
        let bad = |message: String| AnchorError::Key {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
        let b64: String = text
            .lines()
            .map(str::trim)
            .skip_while(|l| *l != PEM_BEGIN)
            .skip(1)
            .take_while(|l| *l != PEM_END)
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| bad(format!("not a PEM private key: {e}")))?;
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der)
            .map_err(|e| bad(format!("not an Ed25519 key: {e}")))?;
        Ok(Key { pair })
    }

    /// Read the key file, or create it (mode 0600) with a new key if missing.
    pub fn load_or_create(path: &Path) -> Result<(Key, bool), AnchorError> {
        if path.exists() {
            return Ok((Key::load(path)?, false));
        }
        let bad = |message: String| AnchorError::Key {
            path: path.display().to_string(),
            message,
        };
        // PKCS#8 v1 (RFC 8410: a fixed prefix, then the 32-byte seed), the
        // form OpenSSL reads and writes.
        let mut der = PKCS8_V1_PREFIX.to_vec();
        let mut seed = [0u8; 32];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut seed)
            .map_err(|e| bad(e.to_string()))?;
        der.extend_from_slice(&seed);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
        let mut pem = format!("{PEM_BEGIN}\n");
        for chunk in b64.as_bytes().chunks(64) {
            pem.push_str(&String::from_utf8_lossy(chunk));
            pem.push('\n');
        }
        pem.push_str(PEM_END);
        pem.push('\n');
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| bad(e.to_string()))?;
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(path).map_err(|e| bad(e.to_string()))?;
        f.write_all(pem.as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| bad(e.to_string()))?;
        Ok((Key::load(path)?, true))
    }

    /// The public key, hex.
    pub fn public_hex(&self) -> String {
        hex::encode(self.pair.public_key().as_ref())
    }

    pub fn public(&self) -> PublicKey {
        let mut k = [0u8; 32];
        k.copy_from_slice(self.pair.public_key().as_ref());
        PublicKey(k)
    }

    /// A signed anchor of entry `seq` with hash `hash`.
    pub fn sign(&self, seq: i64, hash: &str, at: &str, node: &str) -> Anchor {
        let sig = self.pair.sign(&message(seq, hash, at, node));
        Anchor {
            seq,
            hash: hash.to_string(),
            at: at.to_string(),
            node: node.to_string(),
            sig: hex::encode(sig.as_ref()),
        }
    }
}

/// An Ed25519 public key (32 bytes, printed as hex).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    pub fn parse(hex_text: &str) -> Result<PublicKey, AnchorError> {
        let bytes = hex::decode(hex_text.trim())
            .map_err(|e| AnchorError::PublicKey(format!("not hex: {e}")))?;
        let k: [u8; 32] = bytes
            .try_into()
            .map_err(|_| AnchorError::PublicKey("an Ed25519 key is 32 bytes (64 hex)".into()))?;
        Ok(PublicKey(k))
    }
}

/// One published head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
    pub at: String,
    pub node: String,
    /// Ed25519 signature over [`message`], hex.
    pub sig: String,
}

impl Anchor {
    /// Whether `key` signed exactly these fields.
    pub fn signed_by(&self, key: &PublicKey) -> bool {
        let Ok(sig) = hex::decode(&self.sig) else {
            return false;
        };
        UnparsedPublicKey::new(&ED25519, key.0)
            .verify(&message(self.seq, &self.hash, &self.at, &self.node), &sig)
            .is_ok()
    }
}

/// The signed bytes: every field, one per line, after a version tag (a
/// newline in the node name is signed as a space).
pub fn message(seq: i64, hash: &str, at: &str, node: &str) -> Vec<u8> {
    format!(
        "yingji-anchor-v1\n{seq}\n{hash}\n{at}\n{}",
        node.replace('\n', " ")
    )
    .into_bytes()
}

/// Append one anchor line to `<dir>/anchors.jsonl` and flush it to disk.
pub fn write(dir: &Path, anchor: &Anchor) -> Result<PathBuf, AnchorError> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let path = dir.join(FILE);
    let mut line = serde_json::to_vec(anchor).map_err(|e| AnchorError::Io {
        path: path.display().to_string(),
        source: std::io::Error::other(e),
    })?;
    line.push(b'\n');
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .map_err(io_err(&path))?;
    // One write of the whole line: appends from several nodes do not interleave.
    f.write_all(&line)
        .and_then(|_| f.sync_data())
        .map_err(io_err(&path))?;
    Ok(path)
}

/// What the anchor directory holds, checked against `key`.
#[derive(Debug, Default)]
pub struct Anchors {
    /// Every correctly signed anchor, as a claim on the chain.
    pub checkpoints: Vec<Checkpoint>,
    /// Unreadable lines and bad signatures, each with its file and line.
    pub problems: Vec<String>,
    /// Lines read.
    pub lines: usize,
}

/// Read every `*.jsonl` file in `dir` (a missing directory holds none).
pub fn read(dir: &Path, key: &PublicKey) -> Result<Anchors, AnchorError> {
    let mut out = Anchors::default();
    let mut files = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().and_then(|x| x.to_str()) == Some("jsonl"))
            .collect::<Vec<_>>(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(io_err(dir)(e)),
    };
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(io_err(&path))?;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            out.lines += 1;
            let at = format!("anchor {}:{}", path.display(), i + 1);
            match serde_json::from_str::<Anchor>(line) {
                Err(e) => out.problems.push(format!("{at}: unreadable ({e})")),
                Ok(a) if !a.signed_by(key) => out.problems.push(format!(
                    "{at} (entry {}): signature invalid (forged or edited anchor)",
                    a.seq
                )),
                Ok(a) => out.checkpoints.push(Checkpoint {
                    seq: a.seq,
                    hash: a.hash,
                    source: at,
                }),
            }
        }
    }
    Ok(out)
}

/// This node's name: configured, else the host name.
fn node_name(config: &Config) -> String {
    if let Some(n) = &config.anchors.node {
        return n.clone();
    }
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| {
            std::fs::read_to_string(p)
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        })
        .unwrap_or_else(|| "yingji".into())
}

/// Signs the head and appends it to the anchor directory when it moved.
pub struct Publisher {
    key: Key,
    dir: PathBuf,
    node: String,
    last: Mutex<Option<(i64, String)>>,
}

impl Publisher {
    /// The configured key (created if missing) and directory.
    pub fn open(config: &Config) -> Result<Publisher, AnchorError> {
        let key_file = config.anchor_key_file();
        let (key, created) = Key::load_or_create(&key_file)?;
        if created {
            tracing::warn!(
                key_file = %key_file.display(),
                public_key = %key.public_hex(),
                "created the journal anchor key: keep a copy of the public key off this host"
            );
        }
        Ok(Publisher {
            key,
            dir: config.anchor_dir(),
            node: node_name(config),
            last: Mutex::new(None),
        })
    }

    pub fn public_hex(&self) -> String {
        self.key.public_hex()
    }

    /// Publish the current head unless it is what this publisher published
    /// last (or the journal is empty). Returns the anchor written.
    pub async fn publish(&self, db: &Db) -> Result<Option<Anchor>, AnchorError> {
        let mut last = self.last.lock().await;
        let (seq, hash) = head(db).await?;
        if seq == 0 || last.as_ref() == Some(&(seq, hash.clone())) {
            return Ok(None);
        }
        if let Some((lseq, _)) = last.as_ref().filter(|(lseq, _)| *lseq >= seq) {
            tracing::error!(
                published = lseq,
                head = seq,
                "journal head went back or changed at the same sequence: the journal was tampered with"
            );
        }
        let at = format_time(time::OffsetDateTime::now_utc());
        let anchor = self.key.sign(seq, &hash, &at, &self.node);
        let dir = self.dir.clone();
        let a = anchor.clone();
        tokio::task::spawn_blocking(move || write(&dir, &a))
            .await
            .map_err(|e| AnchorError::Io {
                path: self.dir.display().to_string(),
                source: std::io::Error::other(e),
            })??;
        *last = Some((seq, hash));
        Ok(Some(anchor))
    }
}

/// The background publisher started by `server::serve`.
pub struct Job {
    publisher: Arc<Publisher>,
    db: Db,
    handle: JoinHandle<()>,
}

/// Start publishing every `anchors.interval_secs` (none when 0). Fails when
/// the key can be neither read nor created.
pub fn spawn(state: &crate::state::AppState) -> Result<Option<Job>, AnchorError> {
    let secs = state.config.anchors.interval_secs;
    if secs == 0 {
        return Ok(None);
    }
    let publisher = Arc::new(Publisher::open(&state.config)?);
    let (p, db) = (publisher.clone(), state.db.clone());
    let handle = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(secs));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = p.publish(&db).await {
                tracing::error!(error = %e, "publishing the journal anchor failed");
            }
        }
    });
    Ok(Some(Job {
        publisher,
        db: state.db.clone(),
        handle,
    }))
}

impl Job {
    /// Stop, publishing the head one last time (clean shutdown).
    pub async fn stop(self) {
        self.handle.abort();
        if let Err(e) = self.publisher.publish(&self.db).await {
            tracing::error!(error = %e, "publishing the journal anchor at shutdown failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{entry_hash, verify_with};
    use super::*;
    use crate::db::testing;

    async fn write_entries(db: &Db, n: usize) {
        super::super::store::tests::write(db, n).await;
    }

    fn config(dir: &Path) -> Config {
        Config {
            data_dir: dir.to_path_buf(),
            ..Config::default()
        }
    }

    /// Check the chain against the anchors in the configured directory.
    async fn check(db: &Db, config: &Config) -> Vec<String> {
        let key = Key::load(&config.anchor_key_file()).unwrap().public();
        let anchors = read(&config.anchor_dir(), &key).unwrap();
        let mut problems = anchors.problems;
        problems.extend(
            verify_with(db, &anchors.checkpoints)
                .await
                .unwrap()
                .problems,
        );
        problems
    }

    /// The attacker who can write the database: edit a payload, then
    /// recompute every hash from there on and fix the head.
    pub(crate) async fn rewrite_chain(db: &Db, seq: i64, payload: &str) {
        sqlx::query("UPDATE journal SET payload = $1 WHERE seq = $2")
            .bind(payload)
            .bind(seq)
            .execute(db.pool())
            .await
            .unwrap();
        let rows = sqlx::query("SELECT * FROM journal ORDER BY seq")
            .fetch_all(db.pool())
            .await
            .unwrap();
        let mut prev = "genesis".to_string();
        for r in &rows {
            use sqlx::Row;
            let s: i64 = r.get("seq");
            let f = |c: &str| -> String { r.get::<String, _>(c) };
            let hash = entry_hash(
                s,
                &f("at"),
                &f("actor"),
                &f("jurisdiction"),
                &f("module"),
                &f("entity"),
                &f("entity_id"),
                &f("kind"),
                &f("payload"),
                &prev,
            );
            sqlx::query("UPDATE journal SET prev_hash = $1, hash = $2 WHERE seq = $3")
                .bind(&prev)
                .bind(&hash)
                .bind(s)
                .execute(db.pool())
                .await
                .unwrap();
            prev = hash;
        }
        sqlx::query("UPDATE journal_head SET hash = $1 WHERE id = 1")
            .bind(&prev)
            .execute(db.pool())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn key_is_created_private_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/anchor.pem");
        let (k1, created) = Key::load_or_create(&path).unwrap();
        assert!(created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (k2, created) = Key::load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(k1.public_hex(), k2.public_hex());
        assert_eq!(PublicKey::parse(&k1.public_hex()).unwrap(), k1.public());
        let a = k1.sign(3, "ab", "2026-01-01T00:00:00.000Z", "n1");
        assert!(a.signed_by(&k2.public()));
        let other = Key::load_or_create(&dir.path().join("other.pem"))
            .unwrap()
            .0;
        assert!(!a.signed_by(&other.public()));
    }

    #[tokio::test]
    async fn happy_path_publishes_only_when_the_head_moved() {
        for t in testing::all().await {
            let dir = tempfile::tempdir().unwrap();
            let c = config(dir.path());
            let p = Publisher::open(&c).unwrap();
            assert_eq!(p.publish(&t.db).await.unwrap(), None, "empty journal");
            write_entries(&t.db, 3).await;
            let a = p.publish(&t.db).await.unwrap().unwrap();
            assert_eq!(a.seq, 3, "{}", t.name);
            assert_eq!(p.publish(&t.db).await.unwrap(), None, "head unchanged");
            write_entries(&t.db, 2).await;
            assert_eq!(p.publish(&t.db).await.unwrap().unwrap().seq, 5);
            write_entries(&t.db, 1).await;
            let problems = check(&t.db, &c).await;
            assert!(problems.is_empty(), "{}: {problems:?}", t.name);
            let anchors = read(&c.anchor_dir(), &p.key.public()).unwrap();
            assert_eq!(anchors.lines, 2);
        }
    }

    #[tokio::test]
    async fn truncated_tail_with_adjusted_head_is_caught_by_an_anchor() {
        for t in testing::all().await {
            let dir = tempfile::tempdir().unwrap();
            let c = config(dir.path());
            let p = Publisher::open(&c).unwrap();
            write_entries(&t.db, 6).await;
            p.publish(&t.db).await.unwrap();
            // Delete entries 5 and 6 and point the head at entry 4.
            sqlx::query("DELETE FROM journal WHERE seq > 4")
                .execute(t.db.pool())
                .await
                .unwrap();
            sqlx::query(
                "UPDATE journal_head SET seq = 4, hash = (SELECT hash FROM journal WHERE seq = 4) WHERE id = 1",
            )
            .execute(t.db.pool())
            .await
            .unwrap();
            assert!(
                super::super::verify(&t.db).await.unwrap().ok(),
                "{}: the chain alone cannot see it",
                t.name
            );
            let problems = check(&t.db, &c).await;
            assert!(
                problems
                    .iter()
                    .any(|p| p.contains("entry 6: missing") && p.contains("tail truncated")),
                "{}: {problems:?}",
                t.name
            );
        }
    }

    #[tokio::test]
    async fn consistently_rewritten_chain_is_caught_by_an_anchor() {
        for t in testing::all().await {
            let dir = tempfile::tempdir().unwrap();
            let c = config(dir.path());
            let p = Publisher::open(&c).unwrap();
            write_entries(&t.db, 5).await;
            p.publish(&t.db).await.unwrap();
            rewrite_chain(&t.db, 2, "{\"i\":99}").await;
            assert!(
                super::super::verify(&t.db).await.unwrap().ok(),
                "{}: the rewritten chain verifies on its own",
                t.name
            );
            let problems = check(&t.db, &c).await;
            assert!(
                problems
                    .iter()
                    .any(|p| p.contains("entry 5: hash") && p.contains("rewritten")),
                "{}: {problems:?}",
                t.name
            );
        }
    }

    #[tokio::test]
    async fn forged_anchor_line_fails_its_signature() {
        for t in testing::all().await {
            let dir = tempfile::tempdir().unwrap();
            let c = config(dir.path());
            let p = Publisher::open(&c).unwrap();
            write_entries(&t.db, 4).await;
            p.publish(&t.db).await.unwrap();
            // After rewriting the chain, the attacker edits the anchor's hash
            // to match (without the key, the signature cannot follow).
            rewrite_chain(&t.db, 1, "{\"i\":42}").await;
            let (_, new_head) = head(&t.db).await.unwrap();
            let file = c.anchor_dir().join(FILE);
            let text = std::fs::read_to_string(&file).unwrap();
            let mut a: Anchor = serde_json::from_str(text.trim()).unwrap();
            a.hash = new_head;
            std::fs::write(&file, format!("{}\n", serde_json::to_string(&a).unwrap())).unwrap();
            let problems = check(&t.db, &c).await;
            assert!(
                problems
                    .iter()
                    .any(|p| p.contains(":1 (entry 4): signature invalid")),
                "{}: {problems:?}",
                t.name
            );
            // And an anchor signed by another key is no better.
            let other = Key::load_or_create(&dir.path().join("other.pem"))
                .unwrap()
                .0;
            let forged = other.sign(4, &a.hash, &a.at, &a.node);
            assert!(!forged.signed_by(&p.key.public()));
        }
    }
}
