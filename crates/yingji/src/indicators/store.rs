//! Gathering the yearly facts of a division from accidents, disaster reports
//! and the statistics table.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{AccidentFact, CountyReportFact, Statistics};
use super::rules::YearFacts;
use crate::clock::CST;
use crate::db::{Db, DbError, Tx, UtcText};
use crate::reports::figures::Figures;
use crate::reports::ReportKind;

/// The year of a point in time, in the platform's time zone.
fn local_year(t: UtcText) -> i32 {
    t.0.to_offset(CST).year()
}

/// (GDP 亿元, population, raw coal 万吨) of one year.
type Stats = (Option<f64>, Option<f64>, Option<f64>);

/// Whether `div` is one level below `parent` (a county of a city, …).
fn is_child(div: &str, parent: &str) -> bool {
    use crate::divisions::Code;
    match (Code::parse(div), Code::parse(parent)) {
        (Ok(d), Ok(p)) => {
            d.parent().as_ref() == Some(&p)
                || (d.level() == crate::divisions::Level::County
                    && p.level() == crate::divisions::Level::City
                    && d.is_within(&p))
        }
        _ => false,
    }
}

/// Where each year's figures came from (for links from the dashboard).
#[derive(Debug, Default, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Sources {
    pub accidents: Vec<i64>,
    pub disasters: Vec<i64>,
}

/// Facts for every year in `years` for the division with significant `prefix`
/// (its 12-digit `code` is used for the statistics row).
pub async fn facts(
    db: &Db,
    code: &str,
    prefix: &str,
    years: std::ops::RangeInclusive<i32>,
) -> Result<(Vec<YearFacts>, BTreeMap<i32, Sources>), DbError> {
    let mut by_year: BTreeMap<i32, YearFacts> = years
        .clone()
        .map(|y| {
            (
                y,
                YearFacts {
                    year: y,
                    ..Default::default()
                },
            )
        })
        .collect();
    let mut sources: BTreeMap<i32, Sources> = BTreeMap::new();

    // Statistics: the division's own row, else the sum of its children's rows.
    let rows: Vec<Statistics> = sqlx::query_as("SELECT division, year, gdp_yi, population, raw_coal_wt, safety_deaths, coal_deaths, disaster_dead_missing FROM statistics WHERE division LIKE $1")
        .bind(format!("{prefix}%"))
        .fetch_all(db.pool())
        .await?;
    let mut own: BTreeMap<i32, Stats> = BTreeMap::new();
    // Deaths the division's own row states (counted outside yingji).
    let mut stated: BTreeMap<i32, Stated> = BTreeMap::new();
    let mut children: BTreeMap<i32, (f64, f64, f64, usize)> = BTreeMap::new();
    for r in rows {
        let (div, year) = (r.division, r.year as i32);
        let (g, p, c): Stats = (r.gdp_yi, r.population, r.raw_coal_wt);
        if div == code {
            own.insert(year, (g, p, c));
            stated.insert(
                year,
                Stated {
                    safety_deaths: r.safety_deaths,
                    coal_deaths: r.coal_deaths,
                    disaster_dead_missing: r.disaster_dead_missing,
                },
            );
        } else if is_child(&div, code) {
            let e = children.entry(year).or_insert((0.0, 0.0, 0.0, 0));
            e.0 += g.unwrap_or(0.0);
            e.1 += p.unwrap_or(0.0);
            e.2 += c.unwrap_or(0.0);
            e.3 += 1;
        }
    }
    for (y, f) in by_year.iter_mut() {
        if let Some((g, p, c)) = own.get(y) {
            f.gdp_yi = *g;
            f.population = *p;
            f.raw_coal_wt = *c;
        } else if let Some((g, p, c, n)) = children.get(y) {
            if *n > 0 {
                f.gdp_yi = Some(*g);
                f.population = Some(*p);
                f.raw_coal_wt = Some(*c);
            }
        }
    }

    // Production-safety accidents.
    let rows: Vec<AccidentFact> = sqlx::query_as(
        "SELECT id, occurred_at, industry, deaths, missing FROM accidents WHERE division LIKE $1",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?;
    for a in rows {
        let y = local_year(a.occurred_at);
        let Some(f) = by_year.get_mut(&y) else {
            continue;
        };
        // 死亡（含下落不明）: 《生产安全事故统计调查制度》 counts a person still
        // missing after the 30-day (road traffic, fire: 7-day) window of
        // 493号令 第十三条 as dead; the yearly figure is read long after the
        // window, so the missing count with the dead (docs/rules.md).
        let deaths = (a.deaths + a.missing) as f64;
        f.safety_deaths += deaths;
        if a.industry == "coal_mine" {
            f.coal_deaths += deaths;
        }
        sources.entry(y).or_default().accidents.push(a.id);
    }

    // Natural disasters: per disaster and county, the latest county report
    // (a 核报 where there is one).
    let rows: Vec<CountyReportFact> = sqlx::query_as(
        "SELECT d.id AS disaster_id, d.onset AS onset, r.kind AS kind, r.division AS division, r.figures AS figures \
         FROM disaster_reports r JOIN disasters d ON d.id = r.disaster_id \
         WHERE r.level = 'county' AND r.division LIKE $1 ORDER BY r.id",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?;
    let mut latest: BTreeMap<(i64, String), (bool, Figures, UtcText)> = BTreeMap::new();
    for r in rows {
        let key = (r.disaster_id, r.division);
        let is_final = r.kind == ReportKind::Final.as_str();
        match latest.get(&key) {
            Some((true, _, _)) if !is_final => {}
            _ => {
                latest.insert(key, (is_final, r.figures.0, r.onset));
            }
        }
    }
    let mut seen: BTreeSet<(i32, i64)> = BTreeSet::new();
    for ((disaster_id, _), (_, fig, onset)) in latest {
        let y = local_year(onset);
        let Some(f) = by_year.get_mut(&y) else {
            continue;
        };
        f.disaster_dead_missing += fig.dead_missing() as f64;
        f.affected += fig.affected as f64;
        f.disaster_loss_yuan += fig.direct_loss_yuan;
        if seen.insert((y, disaster_id)) {
            sources.entry(y).or_default().disasters.push(disaster_id);
        }
    }
    for (y, f) in by_year.iter_mut() {
        if let Some(st) = stated.get(y) {
            st.apply(f);
        }
    }
    Ok((by_year.into_values().collect(), sources))
}

/// The deaths a statistics row states for its year (`None`: not stated).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stated {
    pub safety_deaths: Option<f64>,
    pub coal_deaths: Option<f64>,
    pub disaster_dead_missing: Option<f64>,
}

impl Stated {
    /// A stated figure is the year's figure, instead of the sum of the
    /// records in yingji (which may be incomplete: the 2019 baseline
    /// predates the platform, and accidents of other departments' sectors
    /// are not all recorded here); a figure not stated keeps the records'
    /// sum. Docs/rules.md "Indicators".
    pub fn apply(&self, f: &mut YearFacts) {
        if let Some(v) = self.safety_deaths {
            f.safety_deaths = v;
        }
        if let Some(v) = self.coal_deaths {
            f.coal_deaths = v;
        }
        if let Some(v) = self.disaster_dead_missing {
            f.disaster_dead_missing = v;
        }
    }
}

/// Replace one division's statistics of one year.
pub async fn upsert_statistics(tx: &mut Tx, row: &Statistics) -> Result<(), DbError> {
    sqlx::query("DELETE FROM statistics WHERE division = $1 AND year = $2")
        .bind(&row.division)
        .bind(row.year)
        .execute(&mut *tx.inner)
        .await?;
    // Not a cached prepared statement: through the Any driver a NULL is
    // sent with a type of its own, so a statement prepared with a figure
    // missing would refuse that figure given later on the same connection
    // (PostgreSQL: "incorrect binary data format").
    sqlx::query("INSERT INTO statistics (division, year, gdp_yi, population, raw_coal_wt, safety_deaths, coal_deaths, disaster_dead_missing) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .persistent(false)
        .bind(&row.division)
        .bind(row.year)
        .bind(row.gdp_yi)
        .bind(row.population)
        .bind(row.raw_coal_wt)
        .bind(row.safety_deaths)
        .bind(row.coal_deaths)
        .bind(row.disaster_dead_missing)
        .execute(&mut *tx.inner)
        .await?;
    Ok(())
}

/// The statistics rows of one division, by year.
pub async fn statistics(db: &Db, division: &str) -> Result<Vec<Statistics>, DbError> {
    Ok(sqlx::query_as("SELECT division, year, gdp_yi, population, raw_coal_wt, safety_deaths, coal_deaths, disaster_dead_missing FROM statistics WHERE division = $1 ORDER BY year")
        .bind(division)
        .fetch_all(db.pool())
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::testing;

    async fn accident(db: &Db, occurred_at: &str, industry: &str, deaths: i64, missing: i64) {
        sqlx::query(
            "INSERT INTO accidents (name, industry, division, occurred_at, road_or_fire, deaths, serious_injuries, direct_loss_yuan, grade, received, created_by, created_at, version, missing) \
             VALUES ('a', $1, '140212000000', $2, 0, $3, 0, 0, 'ordinary', '[]', 't', '2026-01-01T00:00:00.000Z', 1, $4)",
        )
        .bind(industry)
        .bind(occurred_at)
        .bind(deaths)
        .bind(missing)
        .execute(db.pool())
        .await
        .unwrap();
    }

    /// A stated figure replaces the records' sum; one not stated keeps it.
    #[test]
    fn stated_deaths_are_the_years_figure() {
        let recorded = YearFacts {
            year: 2019,
            safety_deaths: 3.0,
            coal_deaths: 1.0,
            disaster_dead_missing: 2.0,
            ..Default::default()
        };
        for (stated, want) in [
            (Stated::default(), (3.0, 1.0, 2.0)),
            (
                Stated {
                    safety_deaths: Some(40.0),
                    ..Default::default()
                },
                (40.0, 1.0, 2.0),
            ),
            (
                Stated {
                    safety_deaths: Some(0.0),
                    coal_deaths: Some(0.0),
                    disaster_dead_missing: Some(5.0),
                },
                (0.0, 0.0, 5.0),
            ),
        ] {
            let mut f = recorded;
            stated.apply(&mut f);
            assert_eq!(
                (f.safety_deaths, f.coal_deaths, f.disaster_dead_missing),
                want,
                "{stated:?}"
            );
        }
    }

    #[tokio::test]
    async fn facts_read_typed_rows_and_refuse_a_bad_stored_time() {
        for t in testing::all().await {
            let mut c = crate::journal::Change::on(&t.db).await.unwrap();
            let row = Statistics {
                division: "140212000000".into(),
                year: 2026,
                gdp_yi: Some(120.5),
                population: None,
                raw_coal_wt: Some(3.0),
                safety_deaths: None,
                coal_deaths: None,
                disaster_dead_missing: None,
            };
            upsert_statistics(&mut c, &row).await.unwrap();
            upsert_statistics(&mut c, &row).await.unwrap();
            let entry = crate::journal::NewEntry {
                actor: "t".into(),
                jurisdiction: row.division.clone(),
                module: "indicators",
                entity: "statistics".into(),
                entity_id: "140212000000:2026".into(),
                kind: "imported",
                payload: serde_json::json!({}),
            };
            c.commit(time::OffsetDateTime::now_utc(), vec![entry])
                .await
                .unwrap();
            assert_eq!(
                statistics(&t.db, "140212000000").await.unwrap(),
                vec![row.clone()],
                "{}",
                t.name
            );
            // 2025-12-31 20:00 UTC is already 2026 in China.
            accident(&t.db, "2025-12-31T20:00:00.000Z", "coal_mine", 2, 0).await;
            accident(&t.db, "2026-06-01T00:00:00.000Z", "building", 1, 0).await;
            // The missing count with the dead (493号令 第十二条).
            accident(&t.db, "2026-07-01T00:00:00.000Z", "coal_mine", 0, 2).await;
            let (years, sources) = facts(&t.db, "140212000000", "140212", 2025..=2026)
                .await
                .unwrap();
            assert_eq!(years[0].safety_deaths, 0.0, "{}", t.name);
            assert_eq!(years[1].safety_deaths, 5.0, "{}", t.name);
            assert_eq!(years[1].coal_deaths, 4.0, "{}", t.name);
            assert_eq!(years[1].gdp_yi, Some(120.5), "{}", t.name);
            assert_eq!(sources[&2026].accidents.len(), 3, "{}", t.name);
            // Deaths the statistics state (counted outside yingji) are the
            // year's figure; what they do not state stays the records' sum.
            let mut c = crate::journal::Change::on(&t.db).await.unwrap();
            for (year, deaths) in [(2025, Some(7.0)), (2026, Some(4.0))] {
                upsert_statistics(
                    &mut c,
                    &Statistics {
                        year,
                        safety_deaths: deaths,
                        ..row.clone()
                    },
                )
                .await
                .unwrap();
            }
            let entry = crate::journal::NewEntry {
                actor: "t".into(),
                jurisdiction: row.division.clone(),
                module: "indicators",
                entity: "statistics".into(),
                entity_id: "140212000000".into(),
                kind: "imported",
                payload: serde_json::json!({}),
            };
            c.commit(time::OffsetDateTime::now_utc(), vec![entry])
                .await
                .unwrap();
            let (years, _) = facts(&t.db, "140212000000", "140212", 2025..=2026)
                .await
                .unwrap();
            assert_eq!(
                (
                    years[0].safety_deaths,
                    years[1].safety_deaths,
                    years[1].coal_deaths
                ),
                (7.0, 4.0, 4.0),
                "{}",
                t.name
            );
            // An accident whose stored time is not a time is an error, not skipped.
            accident(&t.db, "sometime", "building", 1, 0).await;
            assert!(
                facts(&t.db, "140212000000", "140212", 2025..=2026)
                    .await
                    .is_err(),
                "{}",
                t.name
            );
        }
    }
}
