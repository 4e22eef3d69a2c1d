//! SQL of monitoring: devices, sensors (with an optimistic `version` for
//! edits; the readings move only their measurement columns), readings and
//! their 1-minute and 1-hour roll-ups, and alarms (`db::Versioned`). One code path for
//! SQLite and PostgreSQL.

use std::collections::{BTreeMap, HashMap};

use serde_json::json;
use time::OffsetDateTime;

pub use super::model::{Alarm, Device, Sensor};
use super::{on_reading, on_tick, AlarmState, RuleKind, RuleState, Signal};
use crate::db::{
    by_id, col, write_versioned, Backend, Db, DbError, JsonText, Sql, Tx, UtcText, Versioned,
};
use crate::journal::{Change, Entry, NewEntry};
use crate::registry::store::Place;

pub const MODULE: &str = "monitoring";
/// The actor of what the rules do by themselves.
pub const SYSTEM: &str = "system";

// ── devices ────────────────────────────────────────────────────────────

pub async fn insert_device(tx: &mut Tx, d: &Device) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO monitoring_devices (name, division, token_hash, created_by, created_at, version) \
         VALUES ($1, $2, $3, $4, $5, 1) RETURNING id",
    )
    .bind(&d.name)
    .bind(&d.division)
    .bind(&d.token_hash)
    .bind(&d.created_by)
    .bind(d.created_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

/// An edit of a device (its name, its token) if `read` is current.
pub async fn update_device(tx: &mut Tx, d: &Device, read: i64) -> Result<bool, DbError> {
    let update = sqlx::query(
        "UPDATE monitoring_devices SET name = $1, token_hash = $2, version = version + 1 WHERE id = $3 AND version = $4",
    )
    .bind(&d.name)
    .bind(&d.token_hash);
    write_versioned(tx, update, d.id, read).await
}

impl Versioned for Device {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        update_device(tx, self, read).await
    }
}

pub async fn get_device(db: &Db, id: i64) -> Result<Option<Device>, DbError> {
    by_id(db, "monitoring_devices", id).await
}

pub async fn device_by_token(db: &Db, token_hash: &str) -> Result<Option<Device>, DbError> {
    Ok(
        sqlx::query_as("SELECT * FROM monitoring_devices WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(db.pool())
            .await?,
    )
}

pub async fn devices(db: &Db, prefix: &str) -> Result<Vec<Device>, DbError> {
    Ok(sqlx::query_as(
        "SELECT * FROM monitoring_devices WHERE division LIKE $1 ORDER BY division, id LIMIT 5000",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?)
}

// ── sensors ────────────────────────────────────────────────────────────

pub async fn insert_sensor(tx: &mut Tx, s: &Sensor) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO sensors (point_id, device_id, division, code, name, kind, unit, range_min, range_max, interval_secs, \
         rules, rule_state, created_by, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, 1) RETURNING id",
    )
    .bind(s.point_id)
    .bind(s.device_id)
    .bind(&s.division)
    .bind(&s.code)
    .bind(&s.name)
    .bind(s.kind)
    .bind(&s.unit)
    .bind(s.range_min)
    .bind(s.range_max)
    .bind(s.interval_secs)
    .bind(JsonText(&s.rules.0))
    .bind(JsonText(&s.rule_state.0))
    .bind(&s.created_by)
    .bind(s.created_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

/// An edit of a sensor (name, range, interval, rules) if `read` is current.
pub async fn update_sensor(tx: &mut Tx, s: &Sensor, read: i64) -> Result<bool, DbError> {
    let update = sqlx::query(
        "UPDATE sensors SET name = $1, unit = $2, range_min = $3, range_max = $4, interval_secs = $5, rules = $6, \
         updated_at = $7, version = version + 1 WHERE id = $8 AND version = $9",
    )
    .bind(&s.name)
    .bind(&s.unit)
    .bind(s.range_min)
    .bind(s.range_max)
    .bind(s.interval_secs)
    .bind(JsonText(&s.rules.0))
    .bind(s.updated_at);
    write_versioned(tx, update, s.id, read).await
}

impl Versioned for Sensor {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        update_sensor(tx, self, read).await
    }
}

pub async fn get_sensor(db: &Db, id: i64) -> Result<Option<Sensor>, DbError> {
    by_id(db, "sensors", id).await
}

/// The sensor of an MQTT topic: its point and code.
pub async fn sensor_by_code(db: &Db, point_id: i64, code: &str) -> Result<Option<Sensor>, DbError> {
    Ok(
        sqlx::query_as("SELECT * FROM sensors WHERE point_id = $1 AND code = $2")
            .bind(point_id)
            .bind(code)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Filter of the sensor listing.
#[derive(Default)]
pub struct SensorFilter {
    pub point_id: Option<i64>,
    pub device_id: Option<i64>,
}

pub async fn sensors(db: &Db, prefix: &str, f: &SensorFilter) -> Result<Vec<Sensor>, DbError> {
    let mut q = Sql::new("SELECT * FROM sensors WHERE division LIKE ");
    q.bind(format!("{prefix}%"));
    if let Some(p) = f.point_id {
        q.push(" AND point_id = ").bind(p);
    }
    if let Some(d) = f.device_id {
        q.push(" AND device_id = ").bind(d);
    }
    q.push(" ORDER BY division, point_id, code LIMIT 5000");
    Ok(q.query_as().fetch_all(db.pool()).await?)
}

/// Every sensor (the silence job).
pub async fn all_sensors(db: &Db) -> Result<Vec<Sensor>, DbError> {
    Ok(sqlx::query_as("SELECT * FROM sensors ORDER BY id")
        .fetch_all(db.pool())
        .await?)
}

/// The sensors `ids`, read in the change's transaction (on PostgreSQL
/// locked, in id order, so two nodes' batches of one sensor take turns).
async fn sensors_in(
    tx: &mut Tx,
    backend: Backend,
    ids: &[i64],
) -> Result<HashMap<i64, Sensor>, DbError> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut q = Sql::new("SELECT * FROM sensors WHERE id IN (");
    q.bind_list(ids.iter().copied()).push(") ORDER BY id");
    if backend == Backend::Postgres {
        q.push(" FOR UPDATE");
    }
    let rows: Vec<Sensor> = q.query_as().fetch_all(&mut *tx.inner).await?;
    for s in rows {
        out.insert(s.id, s);
    }
    Ok(out)
}

async fn save_measures(
    tx: &mut Tx,
    id: i64,
    st: &RuleState,
    last: Option<(UtcText, f64)>,
) -> Result<(), DbError> {
    match last {
        Some((at, v)) => {
            sqlx::query(
                "UPDATE sensors SET rule_state = $1, last_value = CASE WHEN last_at IS NULL OR last_at < $2 THEN $3 ELSE last_value END, \
                 last_at = CASE WHEN last_at IS NULL OR last_at < $2 THEN $2 ELSE last_at END WHERE id = $4",
            )
            .bind(JsonText(st))
            .bind(at)
            .bind(v)
            .bind(id)
            .execute(&mut *tx.inner)
            .await?;
        }
        None => {
            sqlx::query("UPDATE sensors SET rule_state = $1 WHERE id = $2")
                .bind(JsonText(st))
                .bind(id)
                .execute(&mut *tx.inner)
                .await?;
        }
    }
    Ok(())
}

// ── ingest ─────────────────────────────────────────────────────────────

/// A reading that passed [`super::admit`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub sensor_id: i64,
    pub at: OffsetDateTime,
    pub value: f64,
}

/// What became of a batch's readings.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub accepted: i64,
    pub duplicates: i64,
    pub refused_future: i64,
    pub refused_past: i64,
    /// Not a number, outside the sensor's range, or not this device's sensor.
    pub refused_other: i64,
    pub malformed: i64,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.accepted += o.accepted;
        self.duplicates += o.duplicates;
        self.refused_future += o.refused_future;
        self.refused_past += o.refused_past;
        self.refused_other += o.refused_other;
        self.malformed += o.malformed;
    }
}

/// Store `readings` of `device` (those of sensors that are not its own are
/// refused and counted), keep the roll-ups, run the rules, raise and clear
/// alarms, count everything on the device — all in one transaction: the
/// readings are durable when this returns, with the alarms they raised.
/// `counts` carries what was refused before (time window, malformed).
pub async fn ingest(
    mut change: Change,
    backend: Backend,
    device_id: i64,
    readings: &[Reading],
    mut counts: Counts,
    last_error: Option<&str>,
    now: OffsetDateTime,
) -> Result<(Counts, Vec<Entry>), DbError> {
    let mut ids: Vec<i64> = readings.iter().map(|r| r.sensor_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let sensors = sensors_in(&mut change, backend, &ids).await?;
    // Stored readings by sensor, in time order, for the rules.
    let mut fresh: BTreeMap<i64, Vec<(OffsetDateTime, f64)>> = BTreeMap::new();
    for r in readings {
        let Some(s) = sensors
            .get(&r.sensor_id)
            .filter(|s| s.device_id == device_id)
        else {
            counts.refused_other += 1;
            continue;
        };
        let at = UtcText(r.at);
        let done = sqlx::query(
            "INSERT INTO sensor_readings (sensor_id, at, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(s.id)
        .bind(at)
        .bind(r.value)
        .execute(&mut *change.inner)
        .await?;
        if done.rows_affected() == 0 {
            counts.duplicates += 1;
            continue;
        }
        counts.accepted += 1;
        fresh.entry(s.id).or_default().push((r.at, r.value));
    }
    for p in &ROLLUPS {
        let mut sums: BTreeMap<(i64, OffsetDateTime), Rollup> = BTreeMap::new();
        for (id, list) in &fresh {
            for (at, v) in list {
                sums.entry((*id, (p.cut)(*at))).or_default().add(*v);
            }
        }
        for ((id, period), r) in sums {
            add_rollup(&mut change, p, id, period, &r).await?;
        }
    }
    let mut entries = Vec::new();
    // Sensors with a combination last: they read the others' latest
    // readings, those of this batch included.
    let mut order: Vec<(i64, Vec<(OffsetDateTime, f64)>)> = fresh.into_iter().collect();
    order.sort_by_key(|(id, _)| {
        let combined = sensors
            .get(id)
            .is_some_and(|s| s.effective_rules().combination.is_some());
        (combined, *id)
    });
    for (id, mut list) in order {
        let Some(s) = sensors.get(&id) else { continue };
        list.sort_by_key(|r| r.0);
        let rules = s.effective_rules();
        let others = match &rules.combination {
            Some(_) => latest_of_point(&mut change, s).await?,
            None => super::Latest::new(),
        };
        let mut st = s.rule_state.0.clone();
        let mut signals = Vec::new();
        for (at, v) in &list {
            let (next, sig) = on_reading(&rules, st, *at, *v, &others);
            st = next;
            signals.extend(sig.into_iter().map(|x| (*at, x)));
        }
        for (at, sig) in signals {
            entries.extend(signal(&mut change, s, &sig, at, now).await?);
        }
        let last = list.last().map(|(at, v)| (UtcText(*at), *v));
        save_measures(&mut change, id, &st, last).await?;
    }
    sqlx::query(
        "UPDATE monitoring_devices SET accepted = accepted + $1, duplicates = duplicates + $2, refused_future = refused_future + $3, \
         refused_past = refused_past + $4, refused_other = refused_other + $5, malformed = malformed + $6, \
         last_error = CASE WHEN $7 = '' THEN last_error ELSE $7 END, last_seen_at = $8 WHERE id = $9",
    )
    .bind(counts.accepted)
    .bind(counts.duplicates)
    .bind(counts.refused_future)
    .bind(counts.refused_past)
    .bind(counts.refused_other)
    .bind(counts.malformed)
    .bind(last_error.unwrap_or(""))
    .bind(UtcText(now))
    .bind(device_id)
    .execute(&mut *change.inner)
    .await?;
    change.stage(entries);
    let written = change.commit_measurements(now).await?;
    Ok((counts, written))
}

/// The latest reading of each other sensor on the point of `s`, by code
/// (for a combination rule), as committed or written earlier in `tx`.
async fn latest_of_point(tx: &mut Tx, s: &Sensor) -> Result<super::Latest, DbError> {
    let rows = sqlx::query(
        "SELECT code, last_at, last_value FROM sensors WHERE point_id = $1 AND id <> $2 AND last_at IS NOT NULL",
    )
    .bind(s.point_id)
    .bind(s.id)
    .fetch_all(&mut *tx.inner)
    .await?;
    let mut out = super::Latest::new();
    for r in rows {
        let at: UtcText = col(&r, "last_at")?;
        let v: Option<f64> = col(&r, "last_value")?;
        if let Some(v) = v {
            out.insert(col(&r, "code")?, (at.0, v));
        }
    }
    Ok(out)
}

/// A roll-up table: its name, its period column, and the period a
/// reading's time is cut to.
struct Period {
    table: &'static str,
    key: &'static str,
    cut: fn(OffsetDateTime) -> OffsetDateTime,
}

const ROLLUPS: [Period; 2] = [
    Period {
        table: "sensor_readings_1m",
        key: "minute",
        cut: super::minute_of,
    },
    Period {
        table: "sensor_readings_1h",
        key: "hour",
        cut: super::hour_of,
    },
];

/// Minimum, maximum, sum and count of the readings of one period.
#[derive(Debug, Clone, Copy)]
struct Rollup {
    min: f64,
    max: f64,
    sum: f64,
    n: i64,
}

impl Default for Rollup {
    fn default() -> Self {
        Rollup {
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            sum: 0.0,
            n: 0,
        }
    }
}

impl Rollup {
    fn add(&mut self, v: f64) {
        self.min = self.min.min(v);
        self.max = self.max.max(v);
        self.sum += v;
        self.n += 1;
    }
}

/// Add the new readings `r` of one sensor and period to its roll-up row
/// (one statement per sensor and period of a batch, not per reading).
async fn add_rollup(
    tx: &mut Tx,
    p: &Period,
    sensor_id: i64,
    period: OffsetDateTime,
    r: &Rollup,
) -> Result<(), DbError> {
    let (table, key) = (p.table, p.key);
    sqlx::query(&format!(
        "INSERT INTO {table} (sensor_id, {key}, min_value, max_value, sum_value, n) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (sensor_id, {key}) DO UPDATE SET \
         min_value = CASE WHEN excluded.min_value < {table}.min_value THEN excluded.min_value ELSE {table}.min_value END, \
         max_value = CASE WHEN excluded.max_value > {table}.max_value THEN excluded.max_value ELSE {table}.max_value END, \
         sum_value = {table}.sum_value + excluded.sum_value, n = {table}.n + excluded.n"
    ))
    .bind(sensor_id)
    .bind(UtcText(period))
    .bind(r.min)
    .bind(r.max)
    .bind(r.sum)
    .bind(r.n)
    .execute(&mut *tx.inner)
    .await?;
    Ok(())
}

/// Count a payload that could not be read at all.
pub async fn count_malformed(
    db: &Db,
    device_id: i64,
    error: &str,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    let change = Change::on(db).await?;
    ingest(
        change,
        db.backend(),
        device_id,
        &[],
        Counts {
            malformed: 1,
            ..Counts::default()
        },
        Some(error),
        now,
    )
    .await
    .map(|_| ())
}

/// Act on one signal of the rules for sensor `s` (a reading's or the
/// clock's, at `at`): raise an alarm unless one of the rule is active
/// (the unique index decides), or mark the active one cleared.
async fn signal(
    tx: &mut Tx,
    s: &Sensor,
    sig: &Signal,
    at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Option<NewEntry>, DbError> {
    match sig {
        Signal::Raise {
            rule,
            value,
            limit,
            message,
        } => {
            let row = sqlx::query(
                "INSERT INTO alarms (sensor_id, point_id, division, rule, state, value, limit_value, message, raised_at, created_at, updated_at, version) \
                 VALUES ($1, $2, $3, $4, 'raised', $5, $6, $7, $8, $9, $9, 1) ON CONFLICT DO NOTHING RETURNING id",
            )
            .bind(s.id)
            .bind(s.point_id)
            .bind(&s.division)
            .bind(*rule)
            .bind(*value)
            .bind(*limit)
            .bind(message)
            .bind(UtcText(at))
            .bind(UtcText(now))
            .fetch_optional(&mut *tx.inner)
            .await?;
            let Some(row) = row else { return Ok(None) };
            let id: i64 = col(&row, "id")?;
            Ok(Some(NewEntry::new(
                SYSTEM,
                MODULE,
                &s.division,
                "alarm",
                id,
                "raised",
                json!({ "sensor_id": s.id, "point_id": s.point_id, "rule": rule, "value": value, "limit": limit, "message": message, "to": "raised" }),
            )))
        }
        Signal::Clear { rule, value } => {
            let row = sqlx::query(
                "UPDATE alarms SET cleared_at = $1, updated_at = $2, version = version + 1 \
                 WHERE sensor_id = $3 AND rule = $4 AND state IN ('raised', 'acknowledged') AND cleared_at IS NULL RETURNING id",
            )
            .bind(UtcText(at))
            .bind(UtcText(now))
            .bind(s.id)
            .bind(*rule)
            .fetch_optional(&mut *tx.inner)
            .await?;
            let Some(row) = row else { return Ok(None) };
            let id: i64 = col(&row, "id")?;
            Ok(Some(NewEntry::new(
                SYSTEM,
                MODULE,
                &s.division,
                "alarm",
                id,
                "cleared",
                json!({ "sensor_id": s.id, "rule": rule, "value": value }),
            )))
        }
    }
}

/// The clock's turn for every sensor: silence raised where no reading
/// came in time. Returns how many alarms were raised.
pub async fn tick(
    db: &Db,
    feed: &crate::journal::Feed,
    now: OffsetDateTime,
) -> Result<usize, DbError> {
    let mut raised = 0;
    for s in all_sensors(db).await? {
        let (_, signals) = on_tick(
            &s.effective_rules(),
            s.rule_state.0.clone(),
            s.interval_secs,
            s.created_at.0,
            now,
        );
        if signals.is_empty() {
            continue;
        }
        let mut change = Change::begin(db, feed).await?;
        let mut locked = sensors_in(&mut change, db.backend(), &[s.id]).await?;
        let Some(s) = locked.remove(&s.id) else {
            continue;
        };
        // Read again under the lock: a reading may have come meanwhile.
        let (st2, signals2) = on_tick(
            &s.effective_rules(),
            s.rule_state.0.clone(),
            s.interval_secs,
            s.created_at.0,
            now,
        );
        let mut entries = Vec::new();
        for sig in &signals2 {
            entries.extend(signal(&mut change, &s, sig, now, now).await?);
        }
        save_measures(&mut change, s.id, &st2, None).await?;
        raised += entries.len();
        change.stage(entries);
        change.commit_measurements(now).await?;
    }
    Ok(raised)
}

// ── series ─────────────────────────────────────────────────────────────

/// One point of a series: a raw reading (min = max = avg) or a minute's
/// roll-up.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct SeriesPoint {
    pub at: UtcText,
    pub avg: f64,
    pub min: f64,
    pub max: f64,
    pub n: i64,
}

pub async fn raw_series(
    db: &Db,
    sensor_id: i64,
    from: UtcText,
    to: UtcText,
) -> Result<Vec<SeriesPoint>, DbError> {
    let rows = sqlx::query(
        "SELECT at, value FROM sensor_readings WHERE sensor_id = $1 AND at >= $2 AND at <= $3 ORDER BY at LIMIT 50000",
    )
    .bind(sensor_id)
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let v: f64 = col(r, "value")?;
            Ok(SeriesPoint {
                at: col(r, "at")?,
                avg: v,
                min: v,
                max: v,
                n: 1,
            })
        })
        .collect()
}

/// A series of roll-ups: of minutes or of hours.
pub async fn rollup_series(
    db: &Db,
    sensor_id: i64,
    resolution: super::Resolution,
    from: UtcText,
    to: UtcText,
) -> Result<Vec<SeriesPoint>, DbError> {
    let (table, key, from) = match resolution {
        super::Resolution::Hour => ("sensor_readings_1h", "hour", super::hour_of(from.0)),
        _ => ("sensor_readings_1m", "minute", super::minute_of(from.0)),
    };
    let rows = sqlx::query(&format!(
        "SELECT {key} AS period, min_value, max_value, sum_value, n FROM {table} WHERE sensor_id = $1 AND {key} >= $2 AND {key} <= $3 \
         ORDER BY {key} LIMIT 50000"
    ))
    .bind(sensor_id)
    .bind(UtcText(from))
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let n: i64 = col(r, "n")?;
            let sum: f64 = col(r, "sum_value")?;
            Ok(SeriesPoint {
                at: col(r, "period")?,
                avg: sum / (n.max(1) as f64),
                min: col(r, "min_value")?,
                max: col(r, "max_value")?,
                n,
            })
        })
        .collect()
}

/// Drop raw readings before `raw_before`, 1-minute roll-ups before
/// `minutes_before` and 1-hour roll-ups before `hours_before` (retention).
/// Returns the rows deleted of each.
pub async fn prune(
    db: &Db,
    raw_before: UtcText,
    minutes_before: UtcText,
    hours_before: UtcText,
    now: OffsetDateTime,
) -> Result<(u64, u64, u64), DbError> {
    let mut change = Change::on(db).await?;
    let mut out = [0u64; 3];
    for (i, (sql, before)) in [
        ("DELETE FROM sensor_readings WHERE at < $1", raw_before),
        (
            "DELETE FROM sensor_readings_1m WHERE minute < $1",
            minutes_before,
        ),
        (
            "DELETE FROM sensor_readings_1h WHERE hour < $1",
            hours_before,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        out[i] = sqlx::query(sql)
            .bind(before)
            .execute(&mut *change.inner)
            .await?
            .rows_affected();
    }
    change.commit_measurements(now).await?;
    Ok((out[0], out[1], out[2]))
}

/// How many readings a sensor has stored (tests and the sensor page).
pub async fn reading_count(db: &Db, sensor_id: i64) -> Result<i64, DbError> {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM sensor_readings WHERE sensor_id = $1")
        .bind(sensor_id)
        .fetch_one(db.pool())
        .await?;
    col(&r, "n")
}

// ── alarms ─────────────────────────────────────────────────────────────

/// Write every mutable column if `read` is current (then version + 1).
pub async fn update_alarm(tx: &mut Tx, a: &Alarm, read: i64) -> Result<bool, DbError> {
    let update = sqlx::query(
        "UPDATE alarms SET state = $1, cleared_at = $2, acknowledged_by = $3, acknowledged_at = $4, resolved_by = $5, resolved_at = $6, \
         resolution_note = $7, escalation_level = $8, escalated_at = $9, incident_id = $10, updated_at = $11, version = version + 1 \
         WHERE id = $12 AND version = $13",
    )
    .bind(a.state)
    .bind(a.cleared_at)
    .bind(&a.acknowledged_by)
    .bind(a.acknowledged_at)
    .bind(&a.resolved_by)
    .bind(a.resolved_at)
    .bind(&a.resolution_note)
    .bind(a.escalation_level)
    .bind(a.escalated_at)
    .bind(a.incident_id)
    .bind(a.updated_at);
    write_versioned(tx, update, a.id, read).await
}

impl Versioned for Alarm {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        update_alarm(tx, self, read).await
    }
}

pub async fn get_alarm(db: &Db, id: i64) -> Result<Option<Alarm>, DbError> {
    by_id(db, "alarms", id).await
}

/// Filter of the alarm listing.
#[derive(Default)]
pub struct AlarmFilter {
    pub sensor_id: Option<i64>,
    pub state: Option<AlarmState>,
    /// Raised or acknowledged.
    pub active: bool,
    pub rule: Option<RuleKind>,
    pub limit: i64,
}

pub async fn alarms(db: &Db, prefix: &str, f: &AlarmFilter) -> Result<Vec<Alarm>, DbError> {
    let mut q = Sql::new("SELECT * FROM alarms WHERE division LIKE ");
    q.bind(format!("{prefix}%"));
    if let Some(s) = f.sensor_id {
        q.push(" AND sensor_id = ").bind(s);
    }
    if let Some(st) = f.state {
        q.push(" AND state = ").bind(st.as_str());
    }
    if f.active {
        q.push(" AND state IN ('raised', 'acknowledged')");
    }
    if let Some(r) = f.rule {
        q.push(" AND rule = ").bind(r.as_str());
    }
    q.push(" ORDER BY raised_at DESC, id DESC LIMIT ")
        .bind(f.limit.clamp(1, 1000));
    Ok(q.query_as().fetch_all(db.pool()).await?)
}

/// Raised alarms nobody has acknowledged (the escalation job).
pub async fn unacknowledged(db: &Db) -> Result<Vec<Alarm>, DbError> {
    Ok(
        sqlx::query_as(
            "SELECT * FROM alarms WHERE state = 'raised' ORDER BY raised_at LIMIT 10000",
        )
        .fetch_all(db.pool())
        .await?,
    )
}

/// Monitoring points (registry records) by id: name and position.
pub async fn points(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Place>, DbError> {
    crate::registry::store::places(db, "monitoring_point", ids).await
}

/// The active alarms of sensors, by sensor (the sensor list's status).
pub async fn active_by_sensor(
    db: &Db,
    prefix: &str,
) -> Result<HashMap<i64, Vec<RuleKind>>, DbError> {
    let mut out: HashMap<i64, Vec<RuleKind>> = HashMap::new();
    for a in alarms(
        db,
        prefix,
        &AlarmFilter {
            active: true,
            limit: 1000,
            ..Default::default()
        },
    )
    .await?
    {
        out.entry(a.sensor_id).or_default().push(a.rule);
    }
    Ok(out)
}

// ── demo ───────────────────────────────────────────────────────────────

/// A demo sensor: its point (id, division), kind, code, name and rules.
pub struct DemoSensor<'a> {
    pub point_id: i64,
    pub division: &'a str,
    pub kind: super::SensorKind,
    pub code: &'a str,
    pub name: &'a str,
    pub range: (f64, f64),
    pub rules: super::RuleSet,
}

/// The demo's sensors, one gateway device per division, written in the
/// demo's transaction; their journal entries for its commit.
pub async fn seed_demo(
    tx: &mut Tx,
    sensors: &[DemoSensor<'_>],
    now: OffsetDateTime,
) -> Result<Vec<NewEntry>, DbError> {
    let mut entries = Vec::new();
    let mut devices: HashMap<String, i64> = HashMap::new();
    for d in sensors {
        let device_id = match devices.get(d.division) {
            Some(id) => *id,
            None => {
                let (_, token_hash) = crate::auth::new_token();
                let dev = Device {
                    id: 0,
                    name: format!("演示采集网关-{}", d.division),
                    division: d.division.to_string(),
                    token_hash,
                    accepted: 0,
                    duplicates: 0,
                    refused_future: 0,
                    refused_past: 0,
                    refused_other: 0,
                    malformed: 0,
                    last_error: String::new(),
                    last_seen_at: None,
                    created_by: "demo".into(),
                    created_at: now.into(),
                    version: 1,
                };
                let id = insert_device(tx, &dev).await?;
                entries.push(NewEntry::new(
                    "demo",
                    MODULE,
                    d.division,
                    "device",
                    id,
                    "registered",
                    json!({ "name": dev.name, "source": "demo" }),
                ));
                devices.insert(d.division.to_string(), id);
                id
            }
        };
        let s = Sensor {
            id: 0,
            point_id: d.point_id,
            device_id,
            division: d.division.to_string(),
            code: d.code.to_string(),
            name: d.name.to_string(),
            kind: d.kind,
            unit: d.kind.unit().to_string(),
            range_min: Some(d.range.0),
            range_max: Some(d.range.1),
            interval_secs: 10,
            rules: JsonText(d.rules.clone()),
            rule_state: JsonText(RuleState::default()),
            last_value: None,
            last_at: None,
            created_by: "demo".into(),
            created_at: now.into(),
            updated_at: now.into(),
            version: 1,
        };
        let id = insert_sensor(tx, &s).await?;
        entries.push(NewEntry::new(
            "demo",
            MODULE,
            d.division,
            "sensor",
            id,
            "added",
            json!({ "point_id": d.point_id, "code": d.code, "kind": d.kind, "source": "demo" }),
        ));
    }
    Ok(entries)
}
