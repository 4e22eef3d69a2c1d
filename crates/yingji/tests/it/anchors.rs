//! The anchor job started by `server::serve` publishes the head after writes.

use crate::common::TestApp;

#[tokio::test]
async fn the_job_publishes_an_anchor_after_writes() {
    for b in crate::common::backends().await {
        let app = TestApp::start_with(b, |c| c.anchors.interval_secs = 1).await;
        let file = app.state.config.anchor_dir().join("anchors.jsonl");
        // A write through the API (a registry record).
        let admin = app.login("admin").await;
        let r = admin
            .post(
                "/api/v1/registries/shelter",
                &crate::common::body(&app, "shelter", "一中避难所", "140213"),
            )
            .await;
        assert!(r.status().is_success(), "{}: {}", app.backend, r.status());
        let (head, hash) = yingji::journal::head(&app.state.db).await.unwrap();
        let key = yingji::journal::anchor::Key::load(&app.state.config.anchor_key_file())
            .unwrap()
            .public();
        let mut found = false;
        for _ in 0..60 {
            let a = yingji::journal::anchor::read(&app.state.config.anchor_dir(), &key).unwrap();
            assert!(a.problems.is_empty(), "{}: {:?}", app.backend, a.problems);
            if a.checkpoints
                .iter()
                .any(|c| c.seq == head && c.hash == hash)
            {
                found = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            found,
            "{}: no anchor of entry {head} in {}",
            app.backend,
            file.display()
        );
        let checkpoints = yingji::journal::anchor::read(&app.state.config.anchor_dir(), &key)
            .unwrap()
            .checkpoints;
        let r = yingji::journal::verify_with(&app.state.db, &checkpoints)
            .await
            .unwrap();
        assert!(r.ok(), "{}: {:?}", app.backend, r.problems);
    }
}
