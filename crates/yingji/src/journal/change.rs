//! The one write path. Every change of data goes through a [`Change`]: it
//! owns the transaction from begin to commit, and its commit takes the
//! journal entries that describe the change, appends them in the same
//! transaction, commits, and wakes the live feed. There is no other way for
//! a module to commit a transaction (`Tx::commit_unjournaled` is kept for
//! the few bookkeeping tables that are not records — sessions, leases,
//! node heartbeats, migrations — and a test lists the files allowed to use
//! it), so a change cannot forget its journal entries.
//!
//! ```ignore
//! let mut change = s.change().await?;
//! change.save(&incident).await?; // DbError::Stale (409) when changed since read
//! change.commit(now, vec![entry]).await?;
//! ```

use std::ops::{Deref, DerefMut};

use time::OffsetDateTime;

use super::{Entry, Feed, NewEntry};
use crate::db::{Db, DbError, Tx, Versioned};

/// A unit of work: a transaction whose commit journals the change.
pub struct Change {
    tx: Tx,
    feed: Feed,
    staged: Vec<NewEntry>,
    /// Entries appended before the commit (see [`Change::journal`]).
    appended: usize,
}

impl Change {
    /// Begin a change (on SQLite this waits for the single writer).
    pub async fn begin(db: &Db, feed: &Feed) -> Result<Change, DbError> {
        Ok(Change {
            tx: db.begin().await?,
            feed: feed.clone(),
            staged: Vec::new(),
            appended: 0,
        })
    }

    /// Begin a change where no live feed is at hand (the command line,
    /// functions shared by it and the API): viewers see it at the feed's
    /// next poll instead of at once.
    pub async fn on(db: &Db) -> Result<Change, DbError> {
        Change::begin(db, &Feed::default()).await
    }

    /// Write a versioned record over its stored row, which must still be at
    /// the version the record was read at; [`DbError::Stale`] otherwise
    /// (nothing is written, and the change should be dropped).
    pub async fn save<R: Versioned>(&mut self, record: &R) -> Result<(), DbError> {
        if record.write(&mut self.tx, record.version()).await? {
            Ok(())
        } else {
            Err(DbError::Stale)
        }
    }

    /// The whole change of one versioned record, the usual tail of a step:
    /// begin, write `record` at the version it was read ([`DbError::Stale`]
    /// and nothing written otherwise), journal `entries`, commit, wake the
    /// live feed.
    pub async fn save_and_commit<R: Versioned>(
        db: &Db,
        feed: &Feed,
        record: &R,
        at: OffsetDateTime,
        entries: Vec<NewEntry>,
    ) -> Result<Vec<Entry>, DbError> {
        let mut change = Change::begin(db, feed).await?;
        change.save(record).await?;
        change.commit(at, entries).await
    }

    /// The whole change of several versioned records of one kind (a step
    /// that changes a record and its neighbour, e.g. a handover that puts
    /// the incoming shift on duty): each written at the version it was read
    /// ([`DbError::Stale`] and nothing written when one was changed since),
    /// `entries` journaled, committed, the live feed woken.
    pub async fn save_all_and_commit<R: Versioned>(
        db: &Db,
        feed: &Feed,
        records: &[&R],
        at: OffsetDateTime,
        entries: Vec<NewEntry>,
    ) -> Result<Vec<Entry>, DbError> {
        let mut change = Change::begin(db, feed).await?;
        for r in records {
            change.save(*r).await?;
        }
        change.commit(at, entries).await
    }

    /// Entries a step found on its way (e.g. in another module's public
    /// function), written with the commit's.
    pub fn stage(&mut self, entries: impl IntoIterator<Item = NewEntry>) {
        self.staged.extend(entries);
    }

    /// Append entries now, before the rest of the change, when a later step
    /// of the same change must see them (e.g. erasing a deleted record's
    /// personal data from the journal, entries included).
    pub async fn journal(
        &mut self,
        at: OffsetDateTime,
        entries: Vec<NewEntry>,
    ) -> Result<Vec<Entry>, DbError> {
        let written = super::store::append(&mut self.tx, at, entries).await?;
        self.appended += written.len();
        Ok(written)
    }

    /// Append the staged entries and `entries` at `at`, commit, wake the
    /// live feed. A change with no entry at all is refused (nothing is
    /// written): every change of data is journaled.
    pub async fn commit(
        mut self,
        at: OffsetDateTime,
        entries: Vec<NewEntry>,
    ) -> Result<Vec<Entry>, DbError> {
        self.staged.extend(entries);
        if self.staged.is_empty() && self.appended == 0 {
            return Err(DbError::Unjournaled);
        }
        let written = super::store::append(&mut self.tx, at, self.staged).await?;
        self.tx.commit_unjournaled().await?;
        self.feed.wake();
        Ok(written)
    }
}

impl Change {
    /// Commit measurements that are not records — sensor readings, their
    /// roll-ups and ingest counters (`monitoring::store::ingest`) — with
    /// whatever entries were staged (the alarms they raised), which may be
    /// none: a journal entry per reading would make the hash chain the
    /// bottleneck of a sensor stream and the audit trail a copy of the
    /// readings table. Only the files listed in the test below may call it.
    pub async fn commit_measurements(self, at: OffsetDateTime) -> Result<Vec<Entry>, DbError> {
        if self.staged.is_empty() && self.appended == 0 {
            self.tx.commit_unjournaled().await?;
            return Ok(Vec::new());
        }
        self.commit(at, Vec::new()).await
    }
}

impl Deref for Change {
    type Target = Tx;
    fn deref(&self) -> &Tx {
        &self.tx
    }
}

impl DerefMut for Change {
    fn deref_mut(&mut self) -> &mut Tx {
        &mut self.tx
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::testing;

    fn entry(i: usize) -> NewEntry {
        NewEntry {
            actor: "t".into(),
            jurisdiction: "1402".into(),
            module: "test",
            entity: "thing".into(),
            entity_id: i.to_string(),
            kind: "written",
            payload: serde_json::json!({ "i": i }),
        }
    }

    async fn things(db: &Db) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM divisions WHERE code = '999999'")
            .fetch_one(db.pool())
            .await
            .unwrap_or(-1)
    }

    #[tokio::test]
    async fn a_change_commits_with_its_entries_or_not_at_all() {
        for t in testing::all().await {
            let feed = Feed::default();
            let (head, _) = crate::journal::head(&t.db).await.unwrap();
            // Without entries: refused, and the write is rolled back.
            let mut c = Change::begin(&t.db, &feed).await.unwrap();
            sqlx::query(
                "INSERT INTO divisions (code, name, level) VALUES ('999999', 'x', 'county')",
            )
            .execute(&mut *c.inner)
            .await
            .unwrap();
            let err = c.commit(OffsetDateTime::now_utc(), vec![]).await;
            assert!(matches!(err, Err(DbError::Unjournaled)), "{}", t.name);
            assert_eq!(things(&t.db).await, 0, "{}", t.name);
            assert_eq!(crate::journal::head(&t.db).await.unwrap().0, head);
            // With entries (staged, appended early, at commit): all in one.
            let mut c = Change::begin(&t.db, &feed).await.unwrap();
            sqlx::query(
                "INSERT INTO divisions (code, name, level) VALUES ('999999', 'x', 'county')",
            )
            .execute(&mut *c.inner)
            .await
            .unwrap();
            c.stage([entry(1)]);
            let early = c
                .journal(OffsetDateTime::now_utc(), vec![entry(2)])
                .await
                .unwrap();
            let written = c
                .commit(OffsetDateTime::now_utc(), vec![entry(3)])
                .await
                .unwrap();
            assert_eq!(early.len() + written.len(), 3, "{}", t.name);
            assert_eq!(things(&t.db).await, 1, "{}", t.name);
            assert_eq!(crate::journal::head(&t.db).await.unwrap().0, head + 3);
            assert!(crate::journal::verify(&t.db).await.unwrap().ok());
        }
    }

    /// A record whose write inserts a division row and reports `written`
    /// (false: someone changed it since it was read).
    struct Thing {
        written: bool,
    }

    impl Versioned for Thing {
        fn version(&self) -> i64 {
            3
        }
        async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
            assert_eq!(read, 3);
            sqlx::query(
                "INSERT INTO divisions (code, name, level) VALUES ('999999', 'x', 'county') \
                 ON CONFLICT DO NOTHING",
            )
            .execute(&mut *tx.inner)
            .await?;
            Ok(self.written)
        }
    }

    #[tokio::test]
    async fn save_and_commit_writes_the_record_with_its_entries_or_nothing() {
        for t in testing::all().await {
            let feed = Feed::default();
            let (head, _) = crate::journal::head(&t.db).await.unwrap();
            let now = OffsetDateTime::now_utc();
            // Stale: nothing written, nothing journaled.
            let stale = Thing { written: false };
            let err = Change::save_and_commit(&t.db, &feed, &stale, now, vec![entry(1)]).await;
            assert!(matches!(err, Err(DbError::Stale)), "{}", t.name);
            assert_eq!(things(&t.db).await, 0, "{}", t.name);
            assert_eq!(crate::journal::head(&t.db).await.unwrap().0, head);
            // No entry: refused, rolled back.
            let fresh = Thing { written: true };
            let err = Change::save_and_commit(&t.db, &feed, &fresh, now, vec![]).await;
            assert!(matches!(err, Err(DbError::Unjournaled)), "{}", t.name);
            assert_eq!(things(&t.db).await, 0, "{}", t.name);
            // Written at the version read: the row and its entry together.
            let written = Change::save_and_commit(&t.db, &feed, &fresh, now, vec![entry(2)])
                .await
                .unwrap();
            assert_eq!(written.len(), 1, "{}", t.name);
            assert_eq!(things(&t.db).await, 1, "{}", t.name);
            assert_eq!(crate::journal::head(&t.db).await.unwrap().0, head + 1);
        }
    }

    #[tokio::test]
    async fn save_all_and_commit_writes_every_record_or_none() {
        for t in testing::all().await {
            let feed = Feed::default();
            let (head, _) = crate::journal::head(&t.db).await.unwrap();
            let now = OffsetDateTime::now_utc();
            let (fresh, stale) = (Thing { written: true }, Thing { written: false });
            // One of them changed since it was read: the other is rolled back.
            let err =
                Change::save_all_and_commit(&t.db, &feed, &[&fresh, &stale], now, vec![entry(1)])
                    .await;
            assert!(matches!(err, Err(DbError::Stale)), "{}", t.name);
            assert_eq!(things(&t.db).await, 0, "{}", t.name);
            assert_eq!(crate::journal::head(&t.db).await.unwrap().0, head);
            let written = Change::save_all_and_commit(&t.db, &feed, &[&fresh], now, vec![entry(2)])
                .await
                .unwrap();
            assert_eq!(written.len(), 1, "{}", t.name);
            assert_eq!(things(&t.db).await, 1, "{}", t.name);
        }
    }

    #[test]
    fn an_edit_must_send_the_version_it_read() {
        use crate::db::SentVersion;
        let t = Thing { written: true };
        assert_eq!(t.expect_sent(None), Err(SentVersion::Missing));
        assert_eq!(t.expect_sent(Some(2)), Err(SentVersion::Stale));
        assert_eq!(t.expect_sent(Some(4)), Err(SentVersion::Stale));
        assert_eq!(t.expect_sent(Some(3)), Ok(()));
    }

    /// The one write path holds: outside the few bookkeeping files named
    /// here, no source file commits a transaction without the journal.
    #[test]
    fn only_bookkeeping_commits_without_the_journal() {
        const ALLOWED: &[&str] = &[
            "auth/store.rs",     // login sessions
            "auth/throttle.rs",  // the login back-off's failure counts
            "cluster.rs",        // node heartbeats
            "db/migrations.rs",  // schema
            "db/mod.rs",         // the method itself
            "journal/change.rs", // the write path
            "journal/store.rs",  // its tests
            "plans/store.rs",    // the national plan catalogue seeded at first start
            "registry/store.rs", // dictionaries seeded at first start
            "warnings/jobs.rs",  // the outbox's leases and delivery attempts
        ];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut found = Vec::new();
        let mut dirs = vec![root.clone()];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let path = e.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let rel = path
                        .strip_prefix(&root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    if text.contains(concat!("commit_", "unjournaled"))
                        && !ALLOWED.contains(&rel.as_str())
                    {
                        found.push(rel);
                    }
                }
            }
        }
        assert!(
            found.is_empty(),
            "commit through journal::Change instead: {found:?}"
        );
        // Measurements without entries: the sensor readings only.
        const MEASURES: &[&str] = &["journal/change.rs", "monitoring/store.rs"];
        let mut measuring = Vec::new();
        let mut dirs = vec![root.clone()];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let path = e.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let rel = path
                        .strip_prefix(&root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    if text.contains(concat!("commit_", "measurements"))
                        && !MEASURES.contains(&rel.as_str())
                    {
                        measuring.push(rel);
                    }
                }
            }
        }
        assert!(
            measuring.is_empty(),
            "only readings are measurements: {measuring:?}"
        );
    }
}
