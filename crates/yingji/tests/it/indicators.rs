//! Core indicators from accidents, disaster reports and imported statistics.
use crate::common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn indicators_follow_the_data() {
    for app in apps().await {
        let city = app.login("commander").await;
        // Statistics (GBK CSV from Excel): city rows for 2019 and 2022.
        let csv = "行政区划,年份,地区生产总值(亿元),常住人口,原煤产量(万吨)\n大同市,2019,1000,3000000,5000\n140200,2022,1200,3100000,6000\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(csv);
        let r = city
            .upload("/api/v1/statistics/import", "stats.csv", gbk.into_owned())
            .await;
        assert_eq!(
            r.status(),
            200,
            "{}: {}",
            app.backend,
            r.text().await.unwrap()
        );
        assert_eq!(r.json::<Value>().await.unwrap()["imported"], 2);
        // Bad rows are named; nothing is written.
        let bad = "行政区划,年份,地区生产总值(亿元)\n大同市,2020,-5\n火星,2021,1\n大同市,两千,1\n";
        let p: Value = city
            .upload(
                "/api/v1/statistics/import",
                "bad.csv",
                bad.as_bytes().to_vec(),
            )
            .await
            .json()
            .await
            .unwrap();
        let errs: Vec<(i64, String)> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["row"].as_i64().unwrap(),
                    e["field"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            errs,
            vec![
                (2, "gdp_yi".to_string()),
                (3, "division".to_string()),
                (4, "year".to_string())
            ]
        );
        // Each with its code for the UI.
        let codes: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_str().unwrap_or(""))
            .collect();
        assert!(codes.iter().all(|c| *c != "invalid"), "{p}");
        assert_eq!(codes[1], "bad_division", "{p}");
        // A county operator cannot write city statistics.
        let pc = app.login("pingcheng").await;
        let p: Value = pc
            .upload(
                "/api/v1/statistics/import",
                "s.csv",
                "行政区划,年份\n大同市,2020\n".as_bytes().to_vec(),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(p["errors"][0]["field"], "division");

        // Accidents: 2019 — 100 deaths (1 coal); 2022 — 85 deaths (2 coal).
        for (year, deaths, industry) in [
            (2019, 99, "hazmat"),
            (2019, 1, "coal_mine"),
            (2022, 83, "trade"),
            (2022, 2, "coal_mine"),
        ] {
            let r = city
                .post("/api/v1/accidents", &json!({ "name": format!("{year}年{industry}事故"), "industry": industry, "division": "140213", "occurred_at": format!("{year}-06-01T10:00:00+08:00"), "deaths": deaths, "serious_injuries": 0, "direct_loss_yuan": 0 }))
                .await;
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        }
        // A 2022 disaster with a county 核报 after a 续报: the 核报 counts.
        let r = city.post("/api/v1/disasters", &json!({ "name": "2022 暴雨", "disaster_type": "rainstorm", "onset": "2022-07-10T08:00:00+08:00", "townships": ["140212100000"], "source": "report" })).await;
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        for (kind, affected, dead) in [("followup", 300_000, 1), ("final", 310_000, 2)] {
            let r = city.post(&format!("/api/v1/disasters/{id}/reports"), &json!({ "kind": kind, "level": "county", "division": "140212000000", "figures": { "affected": affected, "dead": dead, "direct_loss_yuan": 600000000 }, "casualties": (0..dead).map(|i| json!({ "name": format!("遇难者{i}"), "status": "dead", "gender": "男", "age": 50, "address": "新荣镇", "cause": "洪水" })).collect::<Vec<_>>() })).await;
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        }

        let d: Value = city
            .get("/api/v1/indicators?year=2022")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(d["division_name"], "大同市");
        assert_eq!(d["years"], json!([2019, 2020, 2021, 2022]));
        let series = |key: &str| {
            d["series"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["key"] == key)
                .unwrap()
                .clone()
        };
        let last = |key: &str| {
            series(key)["points"]
                .as_array()
                .unwrap()
                .last()
                .unwrap()
                .clone()
        };
        assert_eq!(last("safety_deaths")["value"], 85.0);
        // 2022 is judged on the path to the 2025 target (docs/rules.md
        // “Indicators”): 100 × (1 − 15% × 3/6) = 92.5.
        assert_eq!(last("safety_deaths")["verdict"], "met", "85 ≤ 92.5");
        assert!((series("safety_deaths")["target"].as_f64().unwrap() - 92.5).abs() < 1e-9);
        assert!((last("safety_deaths")["target"].as_f64().unwrap() - 92.5).abs() < 1e-9);
        // 2 coal deaths / 60 Mt.
        assert!((last("coal_deaths_per_mt")["value"].as_f64().unwrap() - 2.0 / 60.0).abs() < 1e-9);
        // 2 dead / 3.1 M people (only 2022 in the period has data).
        assert!(
            (last("disaster_deaths_per_million")["value"]
                .as_f64()
                .unwrap()
                - 2.0 / 3.1)
                .abs()
                < 1e-9
        );
        assert!(
            (last("affected_per_100k")["value"].as_f64().unwrap() - 310_000.0 * 1e5 / 3_100_000.0)
                .abs()
                < 1e-6
        );
        // 60,000 万元 / 1200 亿元 = 0.5 %.
        assert!((last("loss_share_of_gdp")["value"].as_f64().unwrap() - 0.5).abs() < 1e-9);
        assert_eq!(d["sources"]["2022"]["disasters"], json!([id]));
        assert_eq!(
            d["sources"]["2019"]["accidents"].as_array().unwrap().len(),
            2
        );

        // The indicator table as files.
        let csv = city
            .get("/api/v1/indicators/export?format=csv&year=2022")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            csv.contains("生产安全事故死亡人数") && csv.contains("2022年") && csv.contains("达标"),
            "{csv}"
        );
        let x = city.get("/api/v1/indicators/export?year=2022").await;
        assert_eq!(x.status(), 200);
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(
            x.bytes().await.unwrap().to_vec(),
        ))
        .unwrap();
        let sheet = wb.worksheet_range("核心指标").unwrap();
        let row = sheet
            .rows()
            .find(|r| r[0] == "生产安全事故死亡人数")
            .expect("row");
        assert_eq!(row[6].to_string(), "85");
        // A county sees its own figures; not the city's.
        let pcd: Value = pc
            .get("/api/v1/indicators?year=2022")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(pcd["division_name"], "平城区");
        assert_eq!(
            pc.get("/api/v1/indicators?division=140200").await.status(),
            403
        );
        assert_eq!(city.get("/api/v1/indicators?year=1990").await.status(), 422);
    }
}

/// The 2019 baseline's deaths are entered through the yearly statistics
/// (counted outside yingji: docs/rules.md "Indicators"); a stated figure is
/// the year's figure, the path to the 2025 target judges 2022; a county
/// cannot state another county's figures.
#[tokio::test]
async fn the_2019_baseline_deaths_are_entered_through_the_statistics() {
    for app in apps().await {
        let b = app.backend;
        let pc = app.login("pingcheng").await;
        let csv = "行政区划,年份,地区生产总值(亿元),常住人口,原煤产量(万吨),生产安全事故死亡人数,煤矿事故死亡人数,因自然灾害死亡失踪人数\n\
                   140213,2019,500,900000,0,40,0,1\n\
                   140213,2022,600,900000,0,35,,\n";
        let r = pc
            .upload(
                "/api/v1/statistics/import",
                "s.csv",
                csv.as_bytes().to_vec(),
            )
            .await;
        assert_eq!(r.status(), 200, "{b}: {}", r.text().await.unwrap());
        let rows: Value = pc
            .get("/api/v1/statistics?division=140213")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(rows[0]["safety_deaths"], 40.0, "{b}: {rows}");
        assert_eq!(rows[1]["coal_deaths"], Value::Null, "{b}: {rows}");
        let d: Value = pc
            .get("/api/v1/indicators?division=140213&year=2022")
            .await
            .json()
            .await
            .unwrap();
        let s = d["series"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == "safety_deaths")
            .unwrap()
            .clone();
        let points = s["points"].as_array().unwrap();
        assert_eq!(points[0]["value"], 40.0, "{b}: the baseline as stated");
        // 2022: 35 against 40 × (1 − 15% × 3/6) = 37: met on the path
        // (the final 2025 target, 34, would not be).
        let last = points.last().unwrap();
        assert_eq!(last["value"], 35.0, "{b}");
        assert!(
            (last["target"].as_f64().unwrap() - 37.0).abs() < 1e-9,
            "{b}: {last}"
        );
        assert_eq!(last["verdict"], "met", "{b}");
        // Another county's figures: refused by row, nothing written.
        let yz = app.login("yunzhou").await;
        let p: Value = yz
            .upload(
                "/api/v1/statistics/import",
                "s.csv",
                "行政区划,年份,生产安全事故死亡人数\n140213,2019,1\n"
                    .as_bytes()
                    .to_vec(),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(p["errors"][0]["code"], "out_of_jurisdiction", "{b}: {p}");
        let rows: Value = pc
            .get("/api/v1/statistics?division=140213")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(rows[0]["safety_deaths"], 40.0, "{b}: unchanged");
    }
}
