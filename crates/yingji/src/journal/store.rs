use sqlx::any::AnyRow;

use super::{entry_hash, Entry, NewEntry};
use crate::clock::format_time;
use crate::db::{col, Db, DbError, Sql, Tx};

/// Append entries inside the caller's transaction. Returns them with their
/// sequence numbers and hashes. The `journal_head` row update serialises
/// appenders on PostgreSQL (row lock) and SQLite (single writer).
pub async fn append(
    tx: &mut Tx,
    at: time::OffsetDateTime,
    entries: Vec<NewEntry>,
) -> Result<Vec<Entry>, DbError> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let n = entries.len() as i64;
    let row =
        sqlx::query("UPDATE journal_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
            .bind(n)
            .fetch_one(&mut *tx.inner)
            .await?;
    let last_seq: i64 = col(&row, "seq")?;
    let mut prev: String = col(&row, "hash")?;
    let at = format_time(at);
    let mut out = Vec::with_capacity(entries.len());
    // A change made with an API token names the token.
    let via = crate::auth::via::current_token();
    for (i, mut e) in entries.into_iter().enumerate() {
        let seq = last_seq - n + 1 + i as i64;
        if let Some(id) = via {
            if e.payload.is_null() {
                e.payload = serde_json::json!({});
            }
            if let Some(o) = e.payload.as_object_mut() {
                o.insert("via_token".into(), id.into());
            }
        }
        // Personal data is kept beside the entry, by reference: the hash
        // covers a salted digest of it, so it can be erased later (see
        // `forget_personal`) without breaking the chain.
        let personal = match e.payload.as_object_mut() {
            Some(o) => o.remove(super::PERSONAL_KEY),
            None => None,
        };
        let personal = match personal {
            Some(data) => {
                let text = data.to_string();
                let salt = super::new_salt();
                let digest = super::personal_digest(&salt, &text);
                if let Some(o) = e.payload.as_object_mut() {
                    o.insert(
                        super::PERSONAL_KEY.into(),
                        serde_json::json!({ "digest": digest }),
                    );
                }
                Some((data, text, salt))
            }
            None => None,
        };
        let payload = e.payload.to_string();
        let hash = entry_hash(
            seq,
            &at,
            &e.actor,
            &e.jurisdiction,
            e.module,
            &e.entity,
            &e.entity_id,
            e.kind,
            &payload,
            &prev,
        );
        sqlx::query(
            "INSERT INTO journal (seq, at, actor, jurisdiction, module, entity, entity_id, kind, payload, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(seq)
        .bind(&at)
        .bind(&e.actor)
        .bind(&e.jurisdiction)
        .bind(e.module)
        .bind(&e.entity)
        .bind(&e.entity_id)
        .bind(e.kind)
        .bind(&payload)
        .bind(&prev)
        .bind(&hash)
        .execute(&mut *tx.inner)
        .await?;
        if let Some((data, text, salt)) = personal {
            sqlx::query(
                "INSERT INTO journal_personal (seq, module, entity, entity_id, salt, data) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(seq)
            .bind(e.module)
            .bind(&e.entity)
            .bind(&e.entity_id)
            .bind(&salt)
            .bind(&text)
            .execute(&mut *tx.inner)
            .await?;
            super::merge_personal(&mut e.payload, Some(&data));
        }
        out.push(Entry {
            seq,
            at: at.clone(),
            actor: e.actor,
            jurisdiction: e.jurisdiction,
            module: e.module.to_string(),
            entity: e.entity,
            entity_id: e.entity_id,
            kind: e.kind.to_string(),
            payload: e.payload,
            prev_hash: prev.clone(),
            hash: hash.clone(),
        });
        prev = hash;
    }
    sqlx::query("UPDATE journal_head SET hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(&mut *tx.inner)
        .await?;
    Ok(out)
}

/// Current head: (last seq, last hash).
pub async fn head(db: &Db) -> Result<(i64, String), DbError> {
    let row = sqlx::query("SELECT seq, hash FROM journal_head WHERE id = 1")
        .fetch_one(db.pool())
        .await?;
    Ok((col(&row, "seq")?, col(&row, "hash")?))
}

fn from_row(row: &AnyRow) -> Result<(Entry, String), DbError> {
    let payload_text: String = col(row, "payload")?;
    // A payload that is not JSON (tampering) still yields the entry, so
    // `verify` can report it by its hash.
    let payload = serde_json::from_str(&payload_text).unwrap_or(serde_json::Value::Null);
    Ok((
        Entry {
            seq: col(row, "seq")?,
            at: col(row, "at")?,
            actor: col(row, "actor")?,
            jurisdiction: col(row, "jurisdiction")?,
            module: col(row, "module")?,
            entity: col(row, "entity")?,
            entity_id: col(row, "entity_id")?,
            kind: col(row, "kind")?,
            payload,
            prev_hash: col(row, "prev_hash")?,
            hash: col(row, "hash")?,
        },
        payload_text,
    ))
}

/// Which entries to list.
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    /// Only entries whose jurisdiction starts with this prefix.
    pub jurisdiction_prefix: String,
    pub after: Option<i64>,
    pub before: Option<i64>,
    pub module: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// Only this actor's entries (a username, `system`, `demo` …).
    pub actor: Option<String>,
    /// Only entries at or after this time (stored text, UTC RFC 3339).
    pub at_from: Option<String>,
    /// Only entries before this time.
    pub at_before: Option<String>,
    pub limit: i64,
    /// Oldest first (feeds) instead of newest first (pages).
    pub ascending: bool,
}

pub async fn list(db: &Db, f: &ListFilter) -> Result<Vec<Entry>, DbError> {
    let mut q = Sql::new("SELECT * FROM journal WHERE jurisdiction LIKE ");
    q.bind(format!("{}%", f.jurisdiction_prefix));
    if let Some(a) = f.after {
        q.push(" AND seq > ").bind(a);
    }
    if let Some(b) = f.before {
        q.push(" AND seq < ").bind(b);
    }
    if let Some(m) = &f.module {
        q.push(" AND module = ").bind(m.as_str());
    }
    if let Some(e) = &f.entity {
        q.push(" AND entity = ").bind(e.as_str());
    }
    if let Some(i) = &f.entity_id {
        q.push(" AND entity_id = ").bind(i.as_str());
    }
    if let Some(a) = &f.actor {
        q.push(" AND actor = ").bind(a.as_str());
    }
    if let Some(t) = &f.at_from {
        q.push(" AND at >= ").bind(t.as_str());
    }
    if let Some(t) = &f.at_before {
        q.push(" AND at < ").bind(t.as_str());
    }
    q.push(if f.ascending {
        " ORDER BY seq ASC LIMIT "
    } else {
        " ORDER BY seq DESC LIMIT "
    })
    .bind(f.limit.clamp(1, 1000));
    let rows = q.query().fetch_all(db.pool()).await?;
    let mut entries = rows
        .iter()
        .map(|r| from_row(r).map(|(e, _)| e))
        .collect::<Result<Vec<_>, _>>()?;
    restore_personal(db, &mut entries).await?;
    Ok(entries)
}

/// Put each entry's personal data back from beside the journal; an entry
/// whose personal data was erased shows `"$personal": "erased"`.
async fn restore_personal(db: &Db, entries: &mut [Entry]) -> Result<(), DbError> {
    let seqs: Vec<i64> = entries
        .iter()
        .filter(|e| e.payload.get(super::PERSONAL_KEY).is_some())
        .map(|e| e.seq)
        .collect();
    if seqs.is_empty() {
        return Ok(());
    }
    let mut q = Sql::new("SELECT seq, data FROM journal_personal WHERE seq IN (");
    for (i, s) in seqs.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(*s);
    }
    q.push(")");
    let mut found = std::collections::HashMap::new();
    for r in q.query().fetch_all(db.pool()).await? {
        let seq: i64 = col(&r, "seq")?;
        let text: String = col(&r, "data")?;
        found.insert(seq, serde_json::from_str::<serde_json::Value>(&text).ok());
    }
    for e in entries.iter_mut() {
        if e.payload.get(super::PERSONAL_KEY).is_some() {
            super::merge_personal(&mut e.payload, found.get(&e.seq).and_then(Option::as_ref));
        }
    }
    Ok(())
}

/// Erase the personal data the journal holds about one record (its entries
/// stay, with their hashes; readers see the personal fields as erased).
/// Returns how many entries lost their personal data.
pub async fn forget_personal(
    tx: &mut Tx,
    module: &str,
    entity: &str,
    entity_id: &str,
) -> Result<u64, DbError> {
    let r = sqlx::query(
        "DELETE FROM journal_personal WHERE module = $1 AND entity = $2 AND entity_id = $3",
    )
    .bind(module)
    .bind(entity)
    .bind(entity_id)
    .execute(&mut *tx.inner)
    .await?;
    Ok(r.rows_affected())
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VerifyReport {
    pub entries: i64,
    pub problems: Vec<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// An (entry, hash) pair the chain must contain, and where the claim comes
/// from (an anchor line, `--expect-head`), for the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub source: String,
}

fn short(hash: &str) -> &str {
    hash.get(..16).unwrap_or(hash)
}

/// Re-hash the whole chain: every entry's hash, every link, no gaps, and the
/// head matching the last entry (so a deleted tail is caught too). The head
/// is read first and the chain up to it, so entries appended while the
/// check runs (a live server) are neither required nor reported.
pub async fn verify(db: &Db) -> Result<VerifyReport, DbError> {
    verify_with(db, &[]).await
}

/// [`verify`], and every checkpoint's entry must be in the chain with
/// exactly the checkpoint's hash. Checkpoints published outside the
/// database (anchors) catch what the chain alone cannot: a truncated tail
/// with the head adjusted, or a whole chain rewritten consistently.
pub async fn verify_with(db: &Db, checkpoints: &[Checkpoint]) -> Result<VerifyReport, DbError> {
    let mut expect: Vec<&Checkpoint> = checkpoints.iter().collect();
    expect.sort_by_key(|c| c.seq);
    let mut next = 0usize;
    let mut problems = Vec::new();
    let mut prev_hash = "genesis".to_string();
    let mut expected_seq = 1i64;
    let mut count = 0i64;
    let mut after = 0i64;
    // The head and its entry commit together, so every entry up to the
    // head read now is in the table; what comes after it is newer than
    // this check.
    let (head_seq, head_hash) = head(db).await?;
    loop {
        let rows = sqlx::query(
            "SELECT * FROM journal WHERE seq > $1 AND seq <= $2 ORDER BY seq ASC LIMIT 5000",
        )
        .bind(after)
        .bind(head_seq)
        .fetch_all(db.pool())
        .await?;
        if rows.is_empty() {
            break;
        }
        let mut personal = std::collections::HashMap::new();
        let (first, last): (i64, i64) = (col(&rows[0], "seq")?, col(&rows[rows.len() - 1], "seq")?);
        for r in sqlx::query(
            "SELECT seq, salt, data FROM journal_personal WHERE seq >= $1 AND seq <= $2",
        )
        .bind(first)
        .bind(last)
        .fetch_all(db.pool())
        .await?
        {
            let seq: i64 = col(&r, "seq")?;
            personal.insert(
                seq,
                (col::<String>(&r, "salt")?, col::<String>(&r, "data")?),
            );
        }
        for row in &rows {
            let (e, payload_text) = from_row(row)?;
            let seq = e.seq;
            after = seq;
            count += 1;
            if seq != expected_seq {
                problems.push(format!(
                    "entry {seq}: expected sequence {expected_seq} (entries missing or reordered)"
                ));
            }
            if e.prev_hash != prev_hash {
                problems.push(format!(
                    "entry {seq}: link broken (prev_hash does not match the previous entry)"
                ));
            }
            if e.computed_hash(&payload_text) != e.hash {
                problems.push(format!(
                    "entry {seq}: content does not match its hash (edited)"
                ));
            }
            if let Some(digest) = e
                .payload
                .get(super::PERSONAL_KEY)
                .and_then(|p| p.get("digest"))
                .and_then(|d| d.as_str())
            {
                if let Some((salt, text)) = personal.get(&seq) {
                    if super::personal_digest(salt, text) != digest {
                        problems.push(format!(
                            "entry {seq}: its personal data does not match its digest (edited)"
                        ));
                    }
                }
            }
            while let Some(c) = expect.get(next).filter(|c| c.seq <= seq) {
                if c.seq < seq {
                    problems.push(format!(
                        "entry {}: missing, but {} has it (hash {}…)",
                        c.seq,
                        c.source,
                        short(&c.hash)
                    ));
                } else if c.hash != e.hash {
                    problems.push(format!(
                        "entry {seq}: hash {}… differs from {} ({}…): the chain was rewritten after it was anchored",
                        short(&e.hash),
                        c.source,
                        short(&c.hash)
                    ));
                }
                next += 1;
            }
            prev_hash = e.hash;
            expected_seq = seq + 1;
        }
    }
    let last = expected_seq - 1;
    for c in &expect[next..] {
        problems.push(format!(
            "entry {}: missing, but {} has it (hash {}…); the chain ends at {last} (tail truncated)",
            c.seq,
            c.source,
            short(&c.hash)
        ));
    }
    if head_seq != last || head_hash != prev_hash {
        problems.push(format!(
            "head says entry {head_seq} but the chain ends at {last} (entries deleted or head altered)"
        ));
    }
    // Entries after the head read above: appended since (the head, read
    // again after them, covers them) or put there outside the journal.
    let row = sqlx::query("SELECT MAX(seq) AS seq FROM journal WHERE seq > $1")
        .bind(head_seq)
        .fetch_one(db.pool())
        .await?;
    let beyond: Option<i64> = col(&row, "seq")?;
    if let Some(b) = beyond {
        let (now_seq, _) = head(db).await?;
        if b > now_seq {
            problems.push(format!(
                "entry {b} is after the head (entry {now_seq}): added outside the journal"
            ));
        }
    }
    Ok(VerifyReport {
        entries: count,
        problems,
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::db::testing;

    fn entry(i: usize) -> NewEntry {
        NewEntry {
            actor: "tester".into(),
            jurisdiction: "140213000000".into(),
            module: "test",
            entity: "thing".into(),
            entity_id: i.to_string(),
            kind: "created",
            payload: serde_json::json!({ "i": i }),
        }
    }

    /// `n` entries, one transaction each (also used by the anchor tests).
    pub(in crate::journal) async fn write(db: &Db, n: usize) {
        for i in 0..n {
            let mut tx = db.begin().await.unwrap();
            append(&mut tx, time::OffsetDateTime::now_utc(), vec![entry(i)])
                .await
                .unwrap();
            tx.commit_unjournaled().await.unwrap();
        }
    }

    #[tokio::test]
    async fn chain_verifies_and_detects_tampering() {
        for t in testing::all().await {
            let db = &t.db;
            write(db, 5).await;
            let r = verify(db).await.unwrap();
            assert!(r.ok(), "{}: {:?}", t.name, r.problems);
            assert_eq!(r.entries, 5);

            // Edit a payload.
            sqlx::query("UPDATE journal SET payload = '{\"i\":99}' WHERE seq = 3")
                .execute(db.pool())
                .await
                .unwrap();
            let r = verify(db).await.unwrap();
            assert!(
                r.problems
                    .iter()
                    .any(|p| p.contains("entry 3") && p.contains("edited")),
                "{}: {:?}",
                t.name,
                r.problems
            );
        }
    }

    #[tokio::test]
    async fn deletion_and_reordering_are_detected() {
        for t in testing::all().await {
            let db = &t.db;
            write(db, 4).await;
            sqlx::query("DELETE FROM journal WHERE seq = 4")
                .execute(db.pool())
                .await
                .unwrap();
            let r = verify(db).await.unwrap();
            assert!(
                r.problems.iter().any(|p| p.contains("deleted")),
                "{}: {:?}",
                t.name,
                r.problems
            );

            sqlx::query("DELETE FROM journal WHERE seq = 2")
                .execute(db.pool())
                .await
                .unwrap();
            let r = verify(db).await.unwrap();
            assert!(
                r.problems
                    .iter()
                    .any(|p| p.contains("entry 3: expected sequence 2")),
                "{}: {:?}",
                t.name,
                r.problems
            );

            // Swap two entries' contents (reorder).
            let t2 = testing::sqlite().await;
            write(&t2.db, 3).await;
            sqlx::query("UPDATE journal SET seq = 100 WHERE seq = 1")
                .execute(t2.db.pool())
                .await
                .unwrap();
            sqlx::query("UPDATE journal SET seq = 1 WHERE seq = 2")
                .execute(t2.db.pool())
                .await
                .unwrap();
            sqlx::query("UPDATE journal SET seq = 2 WHERE seq = 100")
                .execute(t2.db.pool())
                .await
                .unwrap();
            let r = verify(&t2.db).await.unwrap();
            assert!(!r.ok());
        }
    }

    /// A check on a live server: entries appended while it runs are
    /// neither missing nor "after the head" (it read the chain, then the
    /// head, and reported a deleted tail when an entry came in between).
    #[tokio::test]
    async fn verifying_while_entries_are_appended_finds_nothing() {
        for t in testing::all().await {
            let db = t.db.clone();
            write(&db, 3).await;
            let writer = {
                let db = db.clone();
                tokio::spawn(async move { write(&db, 150).await })
            };
            let mut runs = 0;
            while !writer.is_finished() || runs == 0 {
                let r = verify(&db).await.unwrap();
                assert!(r.ok(), "{} (run {runs}): {:?}", t.name, r.problems);
                runs += 1;
            }
            writer.await.unwrap();
            let r = verify(&db).await.unwrap();
            assert!(r.ok(), "{}: {:?}", t.name, r.problems);
            assert_eq!(r.entries, 153);
        }
    }

    /// An entry put after the head without moving it (outside the
    /// journal's append) is reported.
    #[tokio::test]
    async fn an_entry_after_the_head_is_reported() {
        for t in testing::all().await {
            let db = &t.db;
            write(db, 3).await;
            sqlx::query(
                "INSERT INTO journal (seq, at, actor, jurisdiction, module, entity, entity_id, kind, payload, prev_hash, hash) \
                 SELECT 4, at, actor, jurisdiction, module, entity, entity_id, kind, payload, hash, hash FROM journal WHERE seq = 3",
            )
            .execute(db.pool())
            .await
            .unwrap();
            let r = verify(db).await.unwrap();
            assert!(
                r.problems
                    .iter()
                    .any(|p| p.contains("entry 4 is after the head")),
                "{}: {:?}",
                t.name,
                r.problems
            );
        }
    }

    #[tokio::test]
    async fn concurrent_appends_keep_one_chain() {
        for t in testing::all().await {
            let db = t.db.clone();
            let mut handles = Vec::new();
            for w in 0..8 {
                let db = db.clone();
                handles.push(tokio::spawn(async move {
                    for i in 0..10 {
                        let mut tx = db.begin().await.unwrap();
                        append(
                            &mut tx,
                            time::OffsetDateTime::now_utc(),
                            vec![entry(w * 100 + i), entry(w * 100 + i + 50)],
                        )
                        .await
                        .unwrap();
                        tx.commit_unjournaled().await.unwrap();
                    }
                }));
            }
            for h in handles {
                h.await.unwrap();
            }
            let r = verify(&db).await.unwrap();
            assert!(r.ok(), "{}: {:?}", t.name, r.problems);
            assert_eq!(r.entries, 160);
        }
    }

    #[tokio::test]
    async fn list_is_scoped_by_jurisdiction() {
        for t in testing::all().await {
            let db = &t.db;
            let mut tx = db.begin().await.unwrap();
            let mut other = entry(1);
            other.jurisdiction = "140215000000".into();
            append(
                &mut tx,
                time::OffsetDateTime::now_utc(),
                vec![entry(0), other],
            )
            .await
            .unwrap();
            tx.commit_unjournaled().await.unwrap();
            let f = ListFilter {
                jurisdiction_prefix: "140213".into(),
                limit: 10,
                ..Default::default()
            };
            let got = list(db, &f).await.unwrap();
            assert_eq!(got.len(), 1, "{}", t.name);
            assert_eq!(got[0].jurisdiction, "140213000000");
        }
    }
}
