//! The live feed's fan-out (one reader per process, broadcast to viewers):
//! every viewer gets every entry of its jurisdiction, once, in order — also
//! when it falls behind the broadcast, resumes after a sequence number, or
//! arrives after the last viewer left.

use std::time::Duration;

use crate::common::apps;
use yingji::journal::{self, Feed, NewEntry};
use yingji::AppState;

/// Commit `n` entries alternating between a 平城区 and a 云州区 village, and
/// wake the feed after each commit. Returns the sequence numbers written per county.
async fn write(state: &AppState, feed: &Feed, n: usize) -> (Vec<i64>, Vec<i64>) {
    let (mut pc, mut yz) = (Vec::new(), Vec::new());
    for i in 0..n {
        let jurisdiction = if i % 2 == 0 {
            "140213001001"
        } else {
            "140215100201"
        };
        let tx = journal::Change::begin(&state.db, feed).await.unwrap();
        let e = tx
            .commit(
                time::OffsetDateTime::now_utc(),
                vec![NewEntry {
                    actor: "feed-test".into(),
                    jurisdiction: jurisdiction.into(),
                    module: "test",
                    entity: "thing".into(),
                    entity_id: i.to_string(),
                    kind: "write",
                    payload: serde_json::json!({ "i": i }),
                }],
            )
            .await
            .unwrap();
        if i % 2 == 0 { &mut pc } else { &mut yz }.push(e[0].seq);
    }
    (pc, yz)
}

async fn take(sub: &mut journal::Subscription, n: usize) -> Vec<i64> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let e = tokio::time::timeout(Duration::from_secs(10), sub.next())
            .await
            .expect("an entry within 10 s");
        out.push(e.seq);
    }
    out
}

#[tokio::test]
async fn every_viewer_gets_its_jurisdictions_entries_once_in_order() {
    for app in apps().await {
        let feed = app.state.feed.clone();
        let (start, _) = journal::head(&app.state.db).await.unwrap();
        let mut viewers = Vec::new();
        for v in 0..24 {
            let prefix = match v % 3 {
                0 => "140213",
                1 => "140215",
                _ => "1402",
            };
            viewers.push((
                prefix,
                feed.subscribe(&app.state.db, prefix, start).await.unwrap(),
            ));
        }
        assert_eq!(feed.viewers(), 24);
        // Viewers read while the writer writes.
        let writer = {
            let (state, feed) = (app.state.clone(), feed.clone());
            tokio::spawn(async move { write(&state, &feed, 60).await })
        };
        let mut readers = Vec::new();
        for (prefix, mut sub) in viewers {
            let n = if prefix == "1402" { 60 } else { 30 };
            readers.push(tokio::spawn(async move {
                (prefix, take(&mut sub, n).await, sub)
            }));
        }
        let (pc, yz) = writer.await.unwrap();
        let mut all: Vec<i64> = pc.iter().chain(&yz).copied().collect();
        all.sort();
        for r in readers {
            let (prefix, got, mut sub) = r.await.unwrap();
            let want = match prefix {
                "140213" => &pc,
                "140215" => &yz,
                _ => &all,
            };
            assert_eq!(&got, want, "{} viewer {prefix}", app.backend);
            // And nothing more (no duplicates arrive later).
            assert!(
                tokio::time::timeout(Duration::from_millis(50), sub.next())
                    .await
                    .is_err(),
                "{}: an extra entry",
                app.backend
            );
        }
    }
}

#[tokio::test]
async fn a_viewer_behind_the_broadcast_catches_up_from_the_database() {
    for app in apps().await {
        // A broadcast of 4 entries; the viewer reads nothing while 50 are written.
        let feed = Feed::with_capacity(4);
        let (start, _) = journal::head(&app.state.db).await.unwrap();
        let mut sub = feed.subscribe(&app.state.db, "14", start).await.unwrap();
        let (pc, yz) = write(&app.state, &feed, 50).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut want: Vec<i64> = pc.into_iter().chain(yz).collect();
        want.sort();
        assert_eq!(take(&mut sub, 50).await, want, "{}", app.backend);
    }
}

#[tokio::test]
async fn resume_and_restart_after_the_last_viewer_left() {
    for app in apps().await {
        let feed = Feed::default();
        let (pc, _) = write(&app.state, &feed, 6).await;
        // Resuming after the second 平城区 entry gives the third only.
        let mut sub = feed
            .subscribe(&app.state.db, "140213", pc[1])
            .await
            .unwrap();
        assert_eq!(take(&mut sub, 1).await, vec![pc[2]], "{}", app.backend);
        drop(sub);
        // The pump notices that no one listens and ends within its poll.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(feed.viewers(), 0);
        let (head, _) = journal::head(&app.state.db).await.unwrap();
        let mut sub = feed.subscribe(&app.state.db, "140213", head).await.unwrap();
        let (pc2, _) = write(&app.state, &feed, 4).await;
        assert_eq!(take(&mut sub, 2).await, pc2, "{}", app.backend);
    }
}
