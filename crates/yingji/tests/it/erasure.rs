//! Deleting a record with personal data erases that data from what later
//! readers see of the journal, and the hash chain stays whole.

use crate::common::*;
use serde_json::{json, Value};

async fn raw_journal_text(app: &TestApp) -> String {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT payload FROM journal ORDER BY seq")
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    rows.into_iter().map(|r| r.0).collect::<Vec<_>>().join("\n")
}

#[tokio::test]
async fn deleting_a_subscriber_erases_their_data_from_the_journal() {
    for app in apps().await {
        let b = app.backend;
        let admin = app.login("admin").await;
        let mut body = body(&app, "subscriber", "王小明", "140213");
        body["phone"] = json!("13800001111");
        body["attrs"]["email"] = json!("erase-me@example.cn");
        let r = admin.post("/api/v1/registries/subscriber", &body).await;
        assert_eq!(r.status(), 201, "{b}");
        let item: Value = r.json().await.unwrap();
        let id = item["id"].as_i64().unwrap();
        body["phone"] = json!("13900002222");
        body["version"] = item["version"].clone();
        let r = admin
            .put(&format!("/api/v1/registries/subscriber/{id}"), &body)
            .await;
        assert_eq!(r.status(), 200, "{b}: {}", r.text().await.unwrap());

        // Readers with the right see the history in clear …
        let path = format!("/api/v1/journal?entity=subscriber&id={id}");
        let page = admin.get(&path).await.text().await.unwrap();
        for s in [
            "13800001111",
            "13900002222",
            "erase-me@example.cn",
            "王小明",
        ] {
            assert!(page.contains(s), "{b}: {s} in {page}");
        }
        // … but the journal table itself holds only a salted digest.
        let raw = raw_journal_text(&app).await;
        for s in [
            "13800001111",
            "13900002222",
            "erase-me@example.cn",
            "王小明",
        ] {
            assert!(!raw.contains(s), "{b}: {s} stored in the journal");
        }
        let v = yingji::journal::verify(&app.state.db).await.unwrap();
        assert!(v.ok(), "{b}: {:?}", v.problems);

        // Personal data kept beside the journal cannot be edited unnoticed.
        sqlx::query(
            "UPDATE journal_personal SET data = REPLACE(data, '13800001111', '13800009999')",
        )
        .execute(app.state.db.pool())
        .await
        .unwrap();
        let v = yingji::journal::verify(&app.state.db).await.unwrap();
        assert!(
            v.problems.iter().any(|p| p.contains("personal data")),
            "{b}: {:?}",
            v.problems
        );
        sqlx::query(
            "UPDATE journal_personal SET data = REPLACE(data, '13800009999', '13800001111')",
        )
        .execute(app.state.db.pool())
        .await
        .unwrap();

        // Delete: the entries stay (created, updated, deleted), their
        // personal fields are gone for every later reader, the chain holds.
        let r = admin
            .delete(&format!("/api/v1/registries/subscriber/{id}"))
            .await;
        assert_eq!(r.status(), 204, "{b}");
        let entries: Vec<Value> = admin.get(&path).await.json().await.unwrap();
        let kinds: Vec<&str> = entries.iter().filter_map(|e| e["kind"].as_str()).collect();
        assert_eq!(kinds, ["deleted", "updated", "created"], "{b}");
        let page = serde_json::to_string(&entries).unwrap();
        for s in [
            "13800001111",
            "13900002222",
            "erase-me@example.cn",
            "王小明",
        ] {
            assert!(!page.contains(s), "{b}: {s} still shown after deletion");
        }
        assert!(
            entries
                .iter()
                .all(|e| e["payload"]["$personal"] == "erased"),
            "{b}: {page}"
        );
        let v = yingji::journal::verify(&app.state.db).await.unwrap();
        assert!(v.ok(), "{b}: {:?}", v.problems);
        let left: (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM journal_personal WHERE entity = 'subscriber' AND entity_id = $1",
        )
        .bind(id.to_string())
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
        assert_eq!(left.0, 0, "{b}");
    }
}
