//! Reading upstream sources and ingesting what they hold.
//!
//! One task per configured source reads it every `interval_s`: a feed URL
//! (Atom or RSS; each entry's CAP link fetched, or its embedded alert taken)
//! or a directory (`*.xml`, `*.cap`). Every message is stored once (by the
//! SHA-256 of its bytes, and a valid alert once per sender/identifier/sent),
//! valid or not — an invalid one is kept as `rejected` with its problems so
//! the duty officer sees why — and journaled.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::store::{self, NewAlert, UpstreamState};
use super::{
    feed_items, jurisdiction_of, replaces, summarize, FeedItem, SourceConfig, MAX_ALERT_BYTES,
    MAX_FEED_BYTES,
};
use crate::db::UtcText;
use crate::divisions::Code;
use crate::journal::NewEntry;
use crate::state::AppState;

pub use super::sources::{IngestError, Outcome, SourceStatus, Sources};

/// The division-code prefix of the platform's top division(s).
fn root_prefix(s: &AppState) -> String {
    let tree = s.tree();
    let roots: Vec<String> = tree
        .roots()
        .iter()
        .filter_map(|d| Code::parse(&d.code).ok())
        .map(|c| c.prefix().to_string())
        .collect();
    match roots.as_slice() {
        [one] => one.clone(),
        // Several tops (or none): their common prefix.
        _ => {
            let first = roots.first().cloned().unwrap_or_default();
            let n = roots.iter().fold(first.len(), |n, r| {
                n.min(
                    first
                        .bytes()
                        .zip(r.bytes())
                        .take_while(|(a, b)| a == b)
                        .count(),
                )
            });
            first[..n].to_string()
        }
    }
}

fn problems_json(report: &yingji_cap::Report) -> Value {
    Value::Array(
        report
            .problems
            .iter()
            .map(|p| json!({ "path": p.path, "code": p.code, "level": p.level, "message": p.message }))
            .collect(),
    )
}

fn utc_text(d: &str) -> Option<UtcText> {
    let t = yingji_cap::DateTime::parse(d).ok()?;
    OffsetDateTime::from_unix_timestamp(t.unix_seconds())
        .ok()
        .map(UtcText)
}

/// Store one message read from `origin` (validated; duplicates skipped).
pub async fn ingest(
    s: &AppState,
    source: &str,
    origin: &str,
    bytes: &[u8],
    now: OffsetDateTime,
) -> Result<Outcome, IngestError> {
    let sha = hex::encode(Sha256::digest(bytes));
    let (valid, problems, summary, key) = if bytes.len() > MAX_ALERT_BYTES {
        let p = json!([{ "path": "", "code": "too-large", "level": "error",
            "message": format!("消息超过 {} MB", MAX_ALERT_BYTES >> 20) }]);
        (false, p, None, None)
    } else {
        let a = yingji_cap::analyze(bytes);
        let problems = problems_json(&a.report);
        match a.document {
            Ok(doc) => {
                let valid = a.report.is_valid();
                let key = valid.then(|| {
                    (
                        doc.alert.sender.clone(),
                        doc.alert.identifier.clone(),
                        doc.alert.sent.to_string(),
                    )
                });
                (valid, problems, Some(doc.alert), key)
            }
            Err(_) => (false, problems, None, None),
        }
    };
    let sum = summary.as_ref().map(summarize);
    let tree = s.tree();
    let jurisdiction = sum
        .as_ref()
        .and_then(|x| {
            jurisdiction_of(&x.geocodes, |p| {
                Code::parse(p).is_ok_and(|c| tree.get(&c).is_some())
            })
        })
        .unwrap_or_else(|| root_prefix(s));
    let msg_type = sum.as_ref().map(|x| x.msg_type.clone()).unwrap_or_default();
    let state = if !valid {
        UpstreamState::Rejected
    } else if msg_type == "Cancel" {
        UpstreamState::Cancelled
    } else {
        UpstreamState::Active
    };
    let expires = sum
        .as_ref()
        .and_then(|x| x.expires.as_deref())
        .and_then(utc_text);
    let summary_json = sum.as_ref().map(|x| json!(x)).unwrap_or_else(|| json!({}));
    let (identifier, sender, sent) = match &sum {
        Some(x) => (x.identifier.clone(), x.sender.clone(), x.sent.clone()),
        None => Default::default(),
    };
    let mut tx = s.change().await?;
    let k = key
        .as_ref()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()));
    if store::seen(&mut tx, &sha, k).await? {
        return Ok(Outcome::Duplicate);
    }
    let mut replaced = Vec::new();
    if let (true, Some((mt, refs))) = (valid, summary.as_ref().and_then(replaces)) {
        let to = if mt == yingji_cap::MsgType::Cancel {
            UpstreamState::Cancelled
        } else {
            UpstreamState::Superseded
        };
        for (sender, identifier) in refs {
            replaced.extend(store::replace(&mut tx, &sender, &identifier, to).await?);
        }
    }
    let id = match store::insert(
        &mut tx,
        &NewAlert {
            source,
            origin,
            sha256: &sha,
            valid,
            problems: &problems,
            identifier: &identifier,
            sender: &sender,
            sent: &sent,
            msg_type: &msg_type,
            state,
            summary: &summary_json,
            expires_at: expires,
            jurisdiction: &jurisdiction,
            raw: if bytes.len() > MAX_ALERT_BYTES {
                &[]
            } else {
                bytes
            },
            received_at: now.into(),
        },
    )
    .await
    {
        Ok(id) => id,
        // Read at the same moment by another reader (PostgreSQL: two nodes).
        Err(e) if e.is_unique_violation() => return Ok(Outcome::Duplicate),
        Err(e) => return Err(e.into()),
    };
    let division = format!("{jurisdiction:0<12}");
    tx.commit(
        now,
        vec![NewEntry {
            actor: format!("upstream:{source}"),
            jurisdiction: division,
            module: "warnings",
            entity: "upstream_alert".into(),
            entity_id: id.to_string(),
            kind: if valid { "received" } else { "rejected" },
            payload: json!({ "origin": origin, "identifier": identifier, "sender": sender,
                "msg_type": msg_type, "replaced": replaced,
                "problems": if valid { Value::Null } else { problems.clone() } }),
        }],
    )
    .await?;
    Ok(Outcome::Stored { id, valid })
}

/// Read a body, refusing more than `limit` bytes.
async fn body(resp: reqwest::Response, limit: usize) -> Result<Vec<u8>, IngestError> {
    let mut resp = resp;
    let mut out = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| IngestError::Read(e.to_string()))?
    {
        out.extend_from_slice(&chunk);
        if out.len() > limit {
            return Err(IngestError::Read(format!("超过 {} MB", limit >> 20)));
        }
    }
    Ok(out)
}

async fn get(client: &reqwest::Client, url: &str, limit: usize) -> Result<Vec<u8>, IngestError> {
    let resp = client
        .get(url)
        .send()
        .await
        .map_err(|e| IngestError::Read(format!("{url}: {e}")))?;
    if !resp.status().is_success() {
        return Err(IngestError::Read(format!("{url}: HTTP {}", resp.status())));
    }
    body(resp, limit).await
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .unwrap_or_default()
}

/// Read a source once. A message that cannot be fetched makes the read fail
/// (after the others were taken), so the operator sees it; it is retried on
/// the next read.
pub async fn read_source(
    s: &AppState,
    sources: &Sources,
    src: &SourceConfig,
    client: &reqwest::Client,
    now: OffsetDateTime,
) -> Result<Vec<Outcome>, IngestError> {
    let mut out = Vec::new();
    let mut failed = Vec::new();
    if let Some(u) = &src.url {
        let base = url::Url::parse(u).map_err(|e| IngestError::Read(e.to_string()))?;
        let index = get(client, u, MAX_FEED_BYTES).await?;
        let items =
            feed_items(&index, Some(&base)).map_err(|e| IngestError::Read(e.to_string()))?;
        for (i, item) in items.into_iter().enumerate() {
            match item {
                FeedItem::Inline(bytes) => {
                    out.push(ingest(s, &src.name, &format!("{u}#{i}"), &bytes, now).await?)
                }
                FeedItem::Link(link) => {
                    if sources.done(&src.name, &link) {
                        continue;
                    }
                    match get(client, &link, MAX_ALERT_BYTES).await {
                        Ok(bytes) => {
                            out.push(ingest(s, &src.name, &link, &bytes, now).await?);
                            sources.mark(&src.name, link);
                        }
                        Err(e) => failed.push(e.to_string()),
                    }
                }
            }
        }
    } else if let Some(dir) = &src.dir {
        for path in alert_files(dir)? {
            let meta = std::fs::metadata(&path).map_err(|e| IngestError::Read(e.to_string()))?;
            let key = format!(
                "{}|{}|{:?}",
                path.display(),
                meta.len(),
                meta.modified().ok()
            );
            if sources.done(&src.name, &key) {
                continue;
            }
            // At most one byte more than accepted: a larger file is stored
            // as rejected (too large) without reading all of it.
            let mut bytes = Vec::new();
            std::fs::File::open(&path)
                .and_then(|f| f.take(MAX_ALERT_BYTES as u64 + 1).read_to_end(&mut bytes))
                .map_err(|e| IngestError::Read(format!("{}: {e}", path.display())))?;
            out.push(ingest(s, &src.name, &path.display().to_string(), &bytes, now).await?);
            sources.mark(&src.name, key);
        }
    }
    if failed.is_empty() {
        Ok(out)
    } else {
        Err(IngestError::Read(format!(
            "{} 条读取失败：{}",
            failed.len(),
            failed.join("；")
        )))
    }
}

fn alert_files(dir: &Path) -> Result<Vec<std::path::PathBuf>, IngestError> {
    let rd =
        std::fs::read_dir(dir).map_err(|e| IngestError::Read(format!("{}: {e}", dir.display())))?;
    let mut files: Vec<_> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| x.eq_ignore_ascii_case("xml") || x.eq_ignore_ascii_case("cap"))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Read a source now and record the result.
pub async fn read_and_record(
    s: &AppState,
    sources: &Sources,
    src: &SourceConfig,
    client: &reqwest::Client,
) -> Result<Vec<Outcome>, IngestError> {
    let now = OffsetDateTime::now_utc();
    let r = read_source(s, sources, src, client, now).await;
    sources.record(&src.name, now, &r);
    if let Err(e) = &r {
        tracing::warn!(source = %src.name, error = %e, "upstream read failed");
    }
    r
}

/// One reader task per configured source (started with the server); with
/// several nodes each source is read by one of them (see `crate::cluster`).
pub fn spawn(s: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = Vec::new();
    for src in s.config.upstream.sources.clone() {
        let name = format!("upstream:{}", src.name);
        let every = Duration::from_secs(src.interval_s);
        let (st, client) = (s.clone(), client());
        tasks.push(crate::cluster::spawn_once(
            &s.node(),
            name,
            every,
            move || {
                let (s, src, client) = (st.clone(), src.clone(), client.clone());
                async move {
                    let _ = read_and_record(&s, &s.upstream, &src, &client).await;
                }
            },
        ));
    }
    tasks
}
