//! Gathering the yearly facts of a division from accidents, disaster reports
//! and the statistics table.

use std::collections::{BTreeMap, BTreeSet};

use super::rules::YearFacts;
use crate::clock::CST;
use crate::db::{col, Db, DbError};

fn local_year(t: &str) -> Option<i32> {
    crate::clock::parse_time(t).map(|t| t.to_offset(CST).year())
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
    let rows = sqlx::query("SELECT division, year, gdp_yi, population, raw_coal_wt FROM statistics WHERE division LIKE $1")
        .bind(format!("{prefix}%"))
        .fetch_all(db.pool())
        .await?;
    let mut own: BTreeMap<i32, Stats> = BTreeMap::new();
    let mut children: BTreeMap<i32, (f64, f64, f64, usize)> = BTreeMap::new();
    for r in &rows {
        let div: String = col(r, "division")?;
        let year = col::<i64>(r, "year")? as i32;
        let (g, p, c): Stats = (
            col(r, "gdp_yi")?,
            col(r, "population")?,
            col(r, "raw_coal_wt")?,
        );
        if div == code {
            own.insert(year, (g, p, c));
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
    let rows = sqlx::query(
        "SELECT id, occurred_at, industry, deaths FROM accidents WHERE division LIKE $1",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?;
    for r in &rows {
        let Some(y) = local_year(&col::<String>(r, "occurred_at")?) else {
            continue;
        };
        let Some(f) = by_year.get_mut(&y) else {
            continue;
        };
        let deaths = col::<i64>(r, "deaths")? as f64;
        f.safety_deaths += deaths;
        if col::<String>(r, "industry")? == "coal_mine" {
            f.coal_deaths += deaths;
        }
        sources.entry(y).or_default().accidents.push(col(r, "id")?);
    }

    // Natural disasters: per disaster and county, the latest county report
    // (a 核报 where there is one).
    let rows = sqlx::query(
        "SELECT d.id AS disaster_id, d.onset AS onset, r.id AS report_id, r.kind AS kind, r.division AS division, r.figures AS figures \
         FROM disaster_reports r JOIN disasters d ON d.id = r.disaster_id \
         WHERE r.level = 'county' AND r.division LIKE $1 ORDER BY r.id",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?;
    let mut latest: BTreeMap<(i64, String), (bool, crate::reports::figures::Figures, String)> =
        BTreeMap::new();
    for r in &rows {
        let key = (col::<i64>(r, "disaster_id")?, col::<String>(r, "division")?);
        let is_final = col::<String>(r, "kind")? == "final";
        let figures: crate::reports::figures::Figures =
            serde_json::from_str(&col::<String>(r, "figures")?).map_err(|e| DbError::Corrupt {
                table: "disaster_reports",
                detail: e.to_string(),
            })?;
        let onset: String = col(r, "onset")?;
        match latest.get(&key) {
            Some((true, _, _)) if !is_final => {}
            _ => {
                latest.insert(key, (is_final, figures, onset));
            }
        }
    }
    let mut seen: BTreeSet<(i32, i64)> = BTreeSet::new();
    for ((disaster_id, _), (_, fig, onset)) in latest {
        let Some(y) = local_year(&onset) else {
            continue;
        };
        let Some(f) = by_year.get_mut(&y) else {
            continue;
        };
        f.disaster_dead_missing += fig.dead_missing() as f64;
        f.affected += fig.affected as f64;
        f.disaster_loss_wan += fig.direct_loss;
        if seen.insert((y, disaster_id)) {
            sources.entry(y).or_default().disasters.push(disaster_id);
        }
    }
    Ok((by_year.into_values().collect(), sources))
}
