//! Bulk registry imports: tens of thousands of rows through the one import
//! path, all-or-nothing, with batched duplicate checks, a capped error list
//! and (for subscribers) one journal entry per file.
use crate::common::*;
use serde_json::Value;
use sha2::Digest;

const HEADER: &str = "名称,行政区划,经度,纬度,联系电话,订阅者类型,电子邮箱,接收地址(Webhook)\n";

/// `n` valid subscriber rows, alternating between two counties (admin
/// imports) or in one county.
fn subscribers(app: &TestApp, n: usize, counties: &[&str], prefix: &str) -> String {
    let points: Vec<(f64, f64)> = counties.iter().map(|c| app.point_in(c)).collect();
    let mut csv = String::from(HEADER);
    for i in 0..n {
        let k = i % counties.len();
        let (lon, lat) = points[k];
        let email = if i % 7 == 0 {
            format!("user{i}@example.cn")
        } else {
            String::new()
        };
        let hook = if i % 101 == 0 {
            format!("https://hooks.example.cn/{i}")
        } else {
            String::new()
        };
        let kind = if i % 50 == 0 { "单位" } else { "个人" };
        csv.push_str(&format!(
            "{prefix}{i},{},{lon},{lat},1{}{:09},{kind},{email},{hook}\n",
            counties[k],
            3 + i % 7,
            i
        ));
    }
    csv
}

async fn total(u: &User, kind: &str) -> i64 {
    let v: Value = u
        .get(&format!("/api/v1/registries/{kind}?limit=1"))
        .await
        .json()
        .await
        .unwrap();
    v["total"].as_i64().unwrap()
}

async fn journal(u: &User, entity: &str) -> Vec<Value> {
    u.get(&format!(
        "/api/v1/journal?module=registry&entity={entity}&limit=500"
    ))
    .await
    .json()
    .await
    .unwrap()
}

#[tokio::test]
async fn twenty_thousand_subscribers_all_or_nothing_one_journal_entry() {
    for app in apps().await {
        let b = app.backend;
        let u = app.login("admin").await;
        let good = subscribers(&app, 20_000, &["140213", "140215"], "订户");

        // One bad row deep in the file (row 15,002: a phone that is not one)
        // → nothing is stored, and the row and field are named.
        let mut lines: Vec<String> = good.lines().map(String::from).collect();
        let mut cells: Vec<&str> = lines[15_001].split(',').collect();
        cells[4] = "电话不详";
        lines[15_001] = cells.join(",");
        let bad = lines.join("\n");
        let r = u
            .upload(
                "/api/v1/registries/subscriber/import",
                "s.csv",
                bad.into_bytes(),
            )
            .await;
        assert_eq!(r.status(), 422, "{b}");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["errors"].as_array().unwrap().len(), 1, "{b}: {p}");
        assert_eq!(p["errors"][0]["row"], 15_002, "{b}");
        assert_eq!(p["errors"][0]["field"], "phone", "{b}");
        assert_eq!(
            total(&u, "subscriber").await,
            0,
            "{b}: nothing half-written"
        );

        // Duplicates in the file far apart (different INSERT batches).
        let mut lines: Vec<String> = good.lines().map(String::from).collect();
        let first = lines[1].clone();
        lines[19_999] = first;
        let p: Value = u
            .upload(
                "/api/v1/registries/subscriber/import",
                "s.csv",
                lines.join("\n").into_bytes(),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(p["errors"][0]["row"], 20_000, "{b}: {p}");
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("第 2 行"),
            "{b}: {p}"
        );

        // The good file: every row stored, one journal entry with the hash.
        let bytes = good.clone().into_bytes();
        let sha = hex::encode(sha2::Sha256::digest(&bytes));
        let r = u
            .upload("/api/v1/registries/subscriber/import", "订户.csv", bytes)
            .await;
        assert_eq!(r.status(), 200, "{b}: {}", r.text().await.unwrap());
        assert_eq!(r.json::<Value>().await.unwrap()["imported"], 20_000);
        assert_eq!(total(&u, "subscriber").await, 20_000, "{b}");
        let entries = journal(&u, "subscriber").await;
        assert_eq!(entries.len(), 1, "{b}: one entry per file: {entries:?}");
        let e = &entries[0];
        assert_eq!(e["kind"], "imported");
        assert_eq!(e["actor"], "admin");
        let pl = &e["payload"];
        assert_eq!(pl["file"], "订户.csv");
        assert_eq!(pl["sha256"], sha.as_str());
        assert_eq!(pl["rows"], 20_000);
        assert_eq!(pl["importer"], "admin");
        let (a, z) = (
            pl["first_id"].as_i64().unwrap(),
            pl["last_id"].as_i64().unwrap(),
        );
        assert_eq!(z - a + 1, 20_000, "{b}: the id range covers the rows");
        let phone = good.lines().nth(2).unwrap().split(',').nth(4).unwrap();
        assert_eq!(phone.len(), 11);
        assert!(
            !e.to_string().contains(phone),
            "{b}: no phone numbers in the journal"
        );
        // Stored values are the validated ones.
        let list: Value = u
            .get("/api/v1/registries/subscriber?q=订户14")
            .await
            .json()
            .await
            .unwrap();
        let it = &list["items"][0];
        assert_eq!(it["name"], "订户14");
        assert_eq!(it["attrs"]["email"], "user14@example.cn");
        assert_eq!(it["division"], "140213000000");

        // Against the database: 3,000 new rows and one already stored (row
        // 2,502) → refused, named, nothing added.
        let mut more: Vec<String> = subscribers(&app, 3_000, &["140213"], "新订户")
            .lines()
            .map(String::from)
            .collect();
        more[2_501] = good.lines().nth(5).unwrap().to_string(); // 订户4, 140213
        let p: Value = u
            .upload(
                "/api/v1/registries/subscriber/import",
                "more.csv",
                more.join("\n").into_bytes(),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(p["errors"].as_array().unwrap().len(), 1, "{b}: {p}");
        assert_eq!(p["errors"][0]["row"], 2_502, "{b}: {p}");
        assert!(p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("已存在"));
        assert_eq!(total(&u, "subscriber").await, 20_000, "{b}");
        assert_eq!(journal(&u, "subscriber").await.len(), 1, "{b}");
    }
}

#[tokio::test]
async fn many_errors_are_capped_and_counted() {
    for app in apps().await {
        let u = app.login("admin").await;
        let mut csv = String::from(HEADER);
        let (lon, lat) = app.point_in("140213");
        for i in 0..1_500 {
            csv.push_str(&format!("坏{i},140213,{lon},{lat},12,个人,,\n"));
        }
        let r = u
            .upload(
                "/api/v1/registries/subscriber/import",
                "bad.csv",
                csv.into_bytes(),
            )
            .await;
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        assert_eq!(
            p["errors"].as_array().unwrap().len(),
            1_000,
            "{}",
            app.backend
        );
        assert_eq!(p["error_total"], 1_500);
        assert!(
            p["detail"].as_str().unwrap().contains("共 1500 处错误"),
            "{p}"
        );
        assert_eq!(p["errors"][999]["row"], 1_001);
    }
}

#[tokio::test]
async fn another_countys_rows_are_refused_by_row() {
    for app in apps().await {
        let u = app.login("pingcheng").await;
        let mut lines: Vec<String> = subscribers(&app, 50, &["140213"], "平城订户")
            .lines()
            .map(String::from)
            .collect();
        let (lon, lat) = app.point_in("140215");
        lines[30] = format!("云州订户,140215,{lon},{lat},13912345678,个人,,");
        let p: Value = u
            .upload(
                "/api/v1/registries/subscriber/import",
                "p.csv",
                lines.join("\n").into_bytes(),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(p["errors"].as_array().unwrap().len(), 1, "{p}");
        assert_eq!(p["errors"][0]["row"], 31);
        assert_eq!(p["errors"][0]["field"], "division");
        assert_eq!(total(&u, "subscriber").await, 0);
        // The county's own file goes in; the other county does not see it.
        lines.remove(30);
        let r = u
            .upload(
                "/api/v1/registries/subscriber/import",
                "p.csv",
                lines.join("\n").into_bytes(),
            )
            .await;
        assert_eq!(r.status(), 200, "{}", app.backend);
        assert_eq!(total(&u, "subscriber").await, 49);
        let y = app.login("yunzhou").await;
        assert_eq!(total(&y, "subscriber").await, 0);
        assert!(journal(&y, "subscriber").await.is_empty());
        assert_eq!(journal(&u, "subscriber").await.len(), 1);
    }
}

#[tokio::test]
async fn per_record_kinds_still_journal_each_record() {
    for app in apps().await {
        let u = app.login("pingcheng").await;
        let (lon, lat) = app.point_in("140213");
        let csv = format!(
            "名称,行政区划,经度,纬度,队伍类型,人数\n\
             一队,140213,{lon},{lat},综合消防,10\n二队,140213,{lon},{lat},综合消防,20\n三队,140213,{lon},{lat},电力抢修,5\n"
        );
        let r = u
            .upload("/api/v1/registries/team/import", "t.csv", csv.into_bytes())
            .await;
        assert_eq!(r.status(), 200);
        let entries = journal(&u, "team").await;
        assert_eq!(entries.len(), 3, "{}", app.backend);
        let mut names: Vec<&str> = entries
            .iter()
            .map(|e| {
                assert_eq!(e["kind"], "imported");
                assert_eq!(e["payload"]["source"], "import:t.csv");
                e["payload"]["name"].as_str().unwrap()
            })
            .collect();
        names.sort();
        assert_eq!(names, ["一队", "三队", "二队"]);
        // Each entry points at its own record.
        for e in &entries {
            let id = e["entity_id"].as_str().unwrap();
            let it: Value = u
                .get(&format!("/api/v1/registries/team/{id}"))
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(it["name"], e["payload"]["name"]);
        }
    }
}

#[tokio::test]
async fn import_limit_is_its_own_and_gives_413() {
    let app = TestApp::start_with(None, |c| {
        c.max_upload_mb = 1;
        c.max_import_mb = 3;
    })
    .await;
    let u = app.login("admin").await;
    // 2 MB: above the general upload limit, below the import limit → read
    // and judged on its content.
    let mut two = String::from("名称,颜色\n");
    while two.len() < 2 * 1024 * 1024 {
        two.push_str("某某,红\n");
    }
    let r = u
        .upload(
            "/api/v1/registries/subscriber/import",
            "two.csv",
            two.into_bytes(),
        )
        .await;
    assert_eq!(r.status(), 422);
    // 4 MB: refused before reading, with the limit in the message.
    let r = u
        .upload(
            "/api/v1/registries/subscriber/import",
            "four.csv",
            vec![b'a'; 4 * 1024 * 1024],
        )
        .await;
    assert_eq!(r.status(), 413);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["key"], "too_large");
    assert!(p["detail"].as_str().unwrap().contains("3 MB"), "{p}");
}
