//! The `yingji` binary: demo, verify (and tamper detection), users, import, export.
use std::process::{Command, Output};

fn yingji(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yingji"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("YINGJI_LOG", "error")
        .output()
        .expect("run yingji")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn help_lists_the_commands() {
    let o = Command::new(env!("CARGO_BIN_EXE_yingji"))
        .arg("--help")
        .output()
        .unwrap();
    let t = text(&o);
    for cmd in ["serve", "demo", "import", "export", "user", "verify"] {
        assert!(t.contains(cmd), "{cmd} missing from --help:\n{t}");
    }
}

#[tokio::test]
async fn demo_verify_tamper_users_import_export() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = yingji(d, &["demo", "--no-serve"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("created the Datong demo"));
    // Running it again keeps the data.
    let o = yingji(d, &["demo", "--no-serve"]);
    assert!(text(&o).contains("already present"), "{}", text(&o));

    let o = yingji(d, &["verify"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("chain intact"));

    // Users.
    let o = yingji(
        d,
        &[
            "user",
            "create",
            "--username",
            "lqzhang",
            "--display-name",
            "灵丘县值班员",
            "--role",
            "operator",
            "--division",
            "140224",
            "--password",
            "Lingqiu@2025",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = yingji(
        d,
        &[
            "user",
            "create",
            "--username",
            "weak",
            "--display-name",
            "x",
            "--role",
            "operator",
            "--division",
            "140224",
            "--password",
            "weak",
        ],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("password"), "{}", text(&o));
    let o = yingji(
        d,
        &[
            "user",
            "create",
            "--username",
            "x2",
            "--display-name",
            "x",
            "--role",
            "king",
            "--division",
            "140224",
        ],
    );
    assert!(text(&o).contains("unknown role"));
    let o = yingji(d, &["user", "list"]);
    assert!(
        text(&o).contains("lqzhang") && text(&o).contains("灵丘县"),
        "{}",
        text(&o)
    );
    let o = yingji(d, &["user", "reset-password", "--username", "lqzhang"]);
    assert!(text(&o).contains("password: Yj-"), "{}", text(&o));
    let o = yingji(
        d,
        &[
            "user",
            "token",
            "--username",
            "lqzhang",
            "--name",
            "sensor gateway",
        ],
    );
    assert!(o.status.success() && String::from_utf8_lossy(&o.stdout).trim().len() >= 43);
    let o = yingji(
        d,
        &[
            "user",
            "token",
            "create",
            "--username",
            "lqzhang",
            "--name",
            "backup",
            "--days",
            "7",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let secret = String::from_utf8_lossy(&o.stdout).trim().to_string();
    let o = yingji(d, &["user", "token", "list", "--username", "lqzhang"]);
    let listing = text(&o);
    assert!(
        listing.contains("sensor gateway")
            && listing.contains("backup")
            && !listing.contains(&secret),
        "{listing}"
    );
    let o = yingji(
        d,
        &[
            "user",
            "token",
            "revoke",
            "--username",
            "lqzhang",
            "--id",
            "2",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = yingji(d, &["user", "token", "list", "--username", "lqzhang"]);
    assert!(text(&o).contains("revoked"), "{}", text(&o));
    // The password policy holds on the CLI paths; disabling shows in the list.
    let o = yingji(
        d,
        &[
            "user",
            "reset-password",
            "--username",
            "lqzhang",
            "--password",
            "weak",
        ],
    );
    assert!(
        !o.status.success() && text(&o).contains("password"),
        "{}",
        text(&o)
    );
    let o = yingji(d, &["user", "disable", "--username", "lqzhang"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = yingji(d, &["user", "list"]);
    assert!(text(&o).contains("(disabled)"), "{}", text(&o));
    let o = yingji(d, &["user", "enable", "--username", "lqzhang"]);
    assert!(o.status.success(), "{}", text(&o));

    // Export then import: duplicates are refused, nothing changes.
    let csv = d.join("shelters.csv");
    let o = yingji(
        d,
        &[
            "export",
            "registry",
            "--kind",
            "shelter",
            "--out",
            csv.to_str().unwrap(),
        ],
    );
    assert!(text(&o).contains("exported 21 shelter"), "{}", text(&o));
    // The export is journaled (shelters carry personal data: their phones).
    let jl = d.join("journal.jsonl");
    let o = yingji(d, &["export", "journal", "--out", jl.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let journal = std::fs::read_to_string(&jl).unwrap();
    let exported: Vec<serde_json::Value> = journal
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["module"] == "registry" && e["entity_id"] == "export")
        .collect();
    assert_eq!(exported.len(), 1, "{journal}");
    assert_eq!(exported[0]["entity"], "shelter");
    assert_eq!(exported[0]["actor"], "cli");
    assert_eq!(exported[0]["payload"]["rows"], 21);
    let o = yingji(
        d,
        &[
            "import",
            "registry",
            "--kind",
            "shelter",
            "--file",
            csv.to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    assert!(
        text(&o).contains("已存在") && text(&o).contains("nothing imported"),
        "{}",
        text(&o)
    );
    let xlsx = d.join("teams.xlsx");
    let o = yingji(
        d,
        &[
            "export",
            "registry",
            "--kind",
            "team",
            "--format",
            "xlsx",
            "--out",
            xlsx.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let journal = d.join("journal.jsonl");
    let o = yingji(
        d,
        &["export", "journal", "--out", journal.to_str().unwrap()],
    );
    assert!(o.status.success());
    let lines = std::fs::read_to_string(&journal).unwrap().lines().count();
    assert!(lines > 400, "{lines}");

    // Tamper with one journal entry: verify fails and names it.
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}", d.join("yingji.db").display());
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::query("UPDATE journal SET actor = 'mallory' WHERE seq = 5")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let o = yingji(d, &["verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("entry 5"), "{}", text(&o));
}

#[test]
fn bad_config_and_database_urls_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_yingji"))
        .args(["--database", "mysql://x", "verify"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        text(&o).contains("unsupported database URL"),
        "{}",
        text(&o)
    );
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "lisen = 1\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_yingji"))
        .arg("--config")
        .arg(&cfg)
        .arg("verify")
        .output()
        .unwrap();
    assert!(text(&o).contains("lisen"), "{}", text(&o));
}

#[test]
fn cap_validate_gives_every_file_its_verdict() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../cap/tests/data");
    let expect = [
        ("google-australia.cap", true),
        ("google-canada.cap", true),
        ("google-wcatwc-warning.cap", true),
        ("google-earthquake.cap", true),
        ("google-weather.cap", true),
        ("google-no_optional_fields.cap", true),
        ("google-invalid.cap", false),
        ("google-canada_errors.cap", false),
        ("google-xee.cap", false),
        ("google-noaa_errors.cap", false),
    ];
    let files: Vec<std::path::PathBuf> = expect.iter().map(|(f, _)| dir.join(f)).collect();
    let o = Command::new(env!("CARGO_BIN_EXE_yingji"))
        .args(["cap", "validate", "--json"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "some files are invalid: {}",
        text(&o)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for (i, (name, valid)) in expect.iter().enumerate() {
        assert_eq!(v[i]["valid"], *valid, "{name}: {}", v[i]);
    }
    let o = Command::new(env!("CARGO_BIN_EXE_yingji"))
        .args(["cap", "validate"])
        .args(&files[..6])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let o = Command::new(env!("CARGO_BIN_EXE_yingji"))
        .args(["cap", "show"])
        .arg(&files[0])
        .output()
        .unwrap();
    assert!(text(&o).contains("NSW Rural Fire Service"), "{}", text(&o));
}

#[test]
fn route_commands_on_a_real_extract() {
    let osm = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/osm/liechtenstein-2024-03-04.osm.pbf");
    assert!(
        osm.exists(),
        "the OSM extract is missing: {}",
        osm.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let graph = dir.path().join("li.graph");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_yingji"))
            .args(args)
            .output()
            .unwrap()
    };
    let o = run(&[
        "route",
        "build",
        "--osm",
        osm.to_str().unwrap(),
        "--out",
        graph.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["nodes"].as_u64().unwrap() > 20_000);
    let g = graph.to_str().unwrap();
    let o = run(&[
        "route",
        "query",
        g,
        "--from",
        "47.14,9.52",
        "--to",
        "47.05,9.50",
    ]);
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let t = r["time_s"].as_f64().unwrap();
    assert!(
        r["distance_m"].as_f64().unwrap() > 9_000.0 && t > 300.0,
        "{r}"
    );
    let o = run(&[
        "route",
        "matrix",
        g,
        "--sources",
        "47.14,9.52",
        "--targets",
        "47.05,9.50;47.14,9.52",
    ]);
    let m: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        (m["time_s"][0][0].as_f64().unwrap() - t).abs() < 1.0,
        "matrix agrees with the route: {m}"
    );
    assert!(m["time_s"][0][1].as_f64().unwrap() < 1.0);
    let o = run(&[
        "route",
        "isochrone",
        g,
        "--from",
        "47.14,9.52",
        "--minutes",
        "5",
    ]);
    let iso: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(iso["polygons"]["type"], "MultiPolygon");
    // Bad input: clear errors, no panic.
    let o = run(&[
        "route",
        "query",
        g,
        "--from",
        "40,113",
        "--to",
        "47.05,9.50",
    ]);
    assert!(
        !o.status.success() && text(&o).contains("no routable road"),
        "{}",
        text(&o)
    );
    let o = run(&["route", "query", g, "--from", "95,9", "--to", "47.05,9.50"]);
    assert!(text(&o).contains("LAT,LON"), "{}", text(&o));
    // The search radius and the off-road speed are flags: a radius of
    // 0.01 m refuses a point that is not exactly on a road, a wider one and a
    // slower off-road leg change the total by the leg's time.
    let o = run(&[
        "route",
        "query",
        g,
        "--from",
        "47.14,9.52",
        "--to",
        "47.05,9.50",
        "--max-snap-m",
        "0.01",
    ]);
    assert!(!o.status.success(), "{}", text(&o));
    let o = run(&[
        "route",
        "query",
        g,
        "--from",
        "47.14,9.52",
        "--to",
        "47.05,9.50",
        "--off-road-kmh",
        "5",
    ]);
    let slow: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let leg = |v: &serde_json::Value| v["off_road"]["distance_m"].as_f64().unwrap();
    assert!(leg(&slow) > 1.0, "{slow}");
    let want =
        r["total_time_s"].as_f64().unwrap() + leg(&slow) / (5.0 / 3.6) - leg(&r) / (15.0 / 3.6);
    assert!(
        (slow["total_time_s"].as_f64().unwrap() - want).abs() < 0.01,
        "{slow} vs {r}"
    );
    let o = run(&[
        "route",
        "query",
        g,
        "--from",
        "47.14,9.52",
        "--to",
        "47.05,9.50",
        "--off-road-kmh",
        "0",
    ]);
    assert!(text(&o).contains("--off-road-kmh"), "{}", text(&o));
    let o = run(&[
        "route",
        "isochrone",
        g,
        "--from",
        "47.14,9.52",
        "--minutes",
        "0",
    ]);
    assert!(!o.status.success(), "{}", text(&o));
    std::fs::write(dir.path().join("bad.graph"), b"not a graph").unwrap();
    let o = run(&[
        "route",
        "query",
        dir.path().join("bad.graph").to_str().unwrap(),
        "--from",
        "47.14,9.52",
        "--to",
        "47.05,9.50",
    ]);
    assert!(
        !o.status.success() && !text(&o).contains("panicked"),
        "{}",
        text(&o)
    );
}

#[tokio::test]
async fn subscribers_import_server_side_with_one_journal_entry() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = yingji(d, &["demo", "--no-serve"]);
    assert!(o.status.success(), "{}", text(&o));
    // 3,000 subscribers in a village of 平城区 (the point is the demo's
    // settlement point of that village).
    let o = yingji(
        d,
        &[
            "export",
            "registry",
            "--kind",
            "settlement",
            "--out",
            d.join("s.csv").to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let settlements = std::fs::read_to_string(d.join("s.csv")).unwrap();
    let village: Vec<&str> = settlements
        .lines()
        .find(|l| l.contains(",140213"))
        .unwrap()
        .split(',')
        .collect();
    let (code, lon, lat) = (village[1], village[3], village[4]);
    let mut csv = String::from("名称,行政区划,经度,纬度,联系电话,订阅者类型\n");
    for i in 0..3000 {
        csv.push_str(&format!("居民{i},{code},{lon},{lat},139{i:08},个人\n"));
    }
    let file = d.join("subscribers.csv");
    std::fs::write(&file, csv).unwrap();
    let o = yingji(
        d,
        &[
            "import",
            "registry",
            "--kind",
            "subscriber",
            file.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("imported 3000 subscriber records"),
        "{}",
        text(&o)
    );
    let out = d.join("journal.jsonl");
    let o = yingji(d, &["export", "journal", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        // The demo's own subscribers came as one import of their own.
        .filter(|e: &serde_json::Value| e["entity"] == "subscriber" && e["actor"] != "demo")
        .collect();
    assert_eq!(lines.len(), 1, "one entry for the file");
    assert_eq!(lines[0]["payload"]["rows"], 3000);
    assert_eq!(lines[0]["payload"]["file"], "subscribers.csv");
    assert_eq!(lines[0]["payload"]["sha256"].as_str().unwrap().len(), 64);
    let o = yingji(d, &["verify"]);
    assert!(o.status.success(), "{}", text(&o));
}

/// One more journal entry (re-importing a county's divisions journals it).
fn write_entry(d: &std::path::Path) {
    let o = yingji(d, &["import", "divisions", "--city", "140224"]);
    assert!(o.status.success(), "{}", text(&o));
}

async fn sqlite_pool(d: &std::path::Path) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}", d.join("yingji.db").display());
    sqlx::AnyPool::connect(&url).await.unwrap()
}

/// The attacker who can write the database: edit a payload, recompute every
/// hash from the first entry on, fix the head. The chain verifies again.
async fn rewrite_whole_chain(d: &std::path::Path) {
    use sqlx::Row;
    let pool = sqlite_pool(d).await;
    sqlx::query("UPDATE journal SET payload = '{\"divisions\":0}' WHERE seq = 1")
        .execute(&pool)
        .await
        .unwrap();
    let rows = sqlx::query("SELECT * FROM journal ORDER BY seq")
        .fetch_all(&pool)
        .await
        .unwrap();
    let mut prev = "genesis".to_string();
    for r in &rows {
        let seq: i64 = r.get("seq");
        let f = |c: &str| -> String { r.get::<String, _>(c) };
        let hash = yingji::journal::entry_hash(
            seq,
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
            .bind(seq)
            .execute(&pool)
            .await
            .unwrap();
        prev = hash;
    }
    sqlx::query("UPDATE journal_head SET hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

/// SQLite only, like the other CLI tests (the store-level anchor tests in
/// `journal::anchor` run on both databases).
#[tokio::test]
async fn anchors_and_expected_heads_catch_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for _ in 0..4 {
        write_entry(d);
    }
    // The public key, for the auditor; the key file is private.
    let o = yingji(d, &["anchor", "pubkey"]);
    assert!(o.status.success(), "{}", text(&o));
    let pubkey = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert_eq!(pubkey.len(), 64, "{pubkey}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.join("anchor-key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let o = yingji(d, &["anchor", "publish"]);
    assert!(text(&o).contains("published entry 4"), "{}", text(&o));
    write_entry(d);
    write_entry(d);
    let o = yingji(d, &["anchor", "publish"]);
    assert!(text(&o).contains("published entry 6"), "{}", text(&o));
    write_entry(d);

    // Happy path: anchors (default directory, and given with the key) and
    // the saved head all match.
    let o = yingji(d, &["verify", "--print-head"]);
    assert!(o.status.success(), "{}", text(&o));
    let saved = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert!(saved.starts_with("7:") && saved.len() == 66, "{saved}");
    let anchors = d.join("anchors");
    let o = yingji(
        d,
        &[
            "verify",
            "--expect-head",
            &saved,
            "--anchors",
            anchors.to_str().unwrap(),
            "--pubkey",
            &pubkey,
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("2 anchors"), "{}", text(&o));

    // Truncate entries 6 and 7 and point the head at entry 5.
    let pool = sqlite_pool(d).await;
    sqlx::query("DELETE FROM journal WHERE seq > 5")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE journal_head SET seq = 5, hash = (SELECT hash FROM journal WHERE seq = 5) WHERE id = 1",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    // The chain alone cannot see it (anchors moved away for a moment).
    std::fs::rename(&anchors, d.join("elsewhere")).unwrap();
    let o = yingji(d, &["verify"]);
    assert!(o.status.success(), "{}", text(&o));
    std::fs::rename(d.join("elsewhere"), &anchors).unwrap();
    // An expected head catches it.
    let o = yingji(d, &["verify", "--expect-head", &saved]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("entry 7: missing") && text(&o).contains("tail truncated"),
        "{}",
        text(&o)
    );
    // So do the anchors (entry 6 was anchored).
    let o = yingji(d, &["verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("entry 6: missing") && text(&o).contains("anchors.jsonl:2"),
        "{}",
        text(&o)
    );
    // A bad --expect-head is named.
    let o = yingji(d, &["verify", "--expect-head", "7"]);
    assert!(
        !o.status.success() && text(&o).contains("SEQ:HASH"),
        "{}",
        text(&o)
    );
}

#[tokio::test]
async fn anchors_catch_a_rewritten_chain_and_forged_anchors_fail() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for _ in 0..3 {
        write_entry(d);
    }
    let o = yingji(d, &["anchor", "publish"]);
    assert!(text(&o).contains("published entry 3"), "{}", text(&o));
    let o = yingji(d, &["verify"]);
    assert!(o.status.success(), "{}", text(&o));

    rewrite_whole_chain(d).await;
    let anchors = d.join("anchors");
    std::fs::rename(&anchors, d.join("elsewhere")).unwrap();
    let o = yingji(d, &["verify"]);
    assert!(
        o.status.success(),
        "the rewritten chain verifies on its own: {}",
        text(&o)
    );
    std::fs::rename(d.join("elsewhere"), &anchors).unwrap();
    let o = yingji(d, &["verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("entry 3: hash") && text(&o).contains("rewritten"),
        "{}",
        text(&o)
    );

    // The attacker edits the anchor's hash to the new head: its signature
    // no longer holds.
    let pool = sqlite_pool(d).await;
    let new_hash: String = sqlx::query_scalar("SELECT hash FROM journal_head WHERE id = 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    let file = anchors.join("anchors.jsonl");
    let mut a: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&file).unwrap().trim()).unwrap();
    a["hash"] = new_hash.into();
    std::fs::write(&file, format!("{a}\n")).unwrap();
    let o = yingji(d, &["verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("anchors.jsonl:1 (entry 3): signature invalid"),
        "{}",
        text(&o)
    );
    // Checked with the auditor's copy of the public key, not the key file's.
    let other = tempfile::tempdir().unwrap();
    let o = yingji(other.path(), &["anchor", "pubkey"]);
    let other_key = String::from_utf8_lossy(&o.stdout).trim().to_string();
    let o = yingji(d, &["anchor", "publish"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = yingji(d, &["verify", "--pubkey", &other_key]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("anchors.jsonl:2"), "{}", text(&o));
}

/// The server publishes the head at start and at a clean shutdown (SIGTERM).
#[cfg(unix)]
#[test]
fn serve_publishes_the_head_at_start_and_at_shutdown() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_entry(d);
    let cfg = d.join("c.toml");
    std::fs::write(&cfg, "[anchors]\ninterval_secs = 3600\nnode = \"n1\"\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_yingji"))
        .arg("--data-dir")
        .arg(d)
        .arg("--config")
        .arg(&cfg)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("YINGJI_LOG", "error")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.contains("listening"), "{line}");
    let file = d.join("anchors/anchors.jsonl");
    let anchors = |n: usize| -> Vec<serde_json::Value> {
        for _ in 0..100 {
            let got: Vec<serde_json::Value> = std::fs::read_to_string(&file)
                .unwrap_or_default()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            if got.len() >= n {
                return got;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("fewer than {n} anchors in {}", file.display());
    };
    assert_eq!(anchors(1)[0]["seq"], 1);
    assert_eq!(anchors(1)[0]["node"], "n1");
    write_entry(d);
    let o = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(child.wait().unwrap().success());
    let got = anchors(2);
    assert_eq!(got.len(), 2);
    assert_eq!(got[1]["seq"], 2);
    let o = yingji(d, &["verify"]);
    assert!(o.status.success(), "{}", text(&o));
}
