//! Readings into the store: the one path of the device ingest endpoint
//! (`api.rs`) and the MQTT consumer (`mqtt.rs`). Each reading is checked
//! against the window and its sensor's range ([`admit`]), then stored with
//! the alarm rules' events in one change ([`store::ingest`]).

use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;

use super::store::{self, Counts, Reading, SensorFilter};
use super::{admit, Device, Refused, Sensor};
use crate::db::DbError;
use crate::state::AppState;

/// One reading as a device sends it.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct IngestReading {
    pub sensor_id: i64,
    /// RFC 3339 with offset.
    pub at: String,
    pub value: f64,
}

/// Readings of `device` as parsed values (each a JSON value, so that one
/// malformed reading is counted and the others still stored): the window
/// and range checks, then [`store::ingest`].
pub(crate) async fn receive(
    s: &AppState,
    device: &Device,
    items: &[Value],
    mut counts: Counts,
    mut last_error: Option<String>,
    now: OffsetDateTime,
) -> Result<(Counts, usize), DbError> {
    let own: std::collections::HashMap<i64, Sensor> = store::sensors(
        &s.db,
        "",
        &SensorFilter {
            device_id: Some(device.id),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .map(|x| (x.id, x))
    .collect();
    let w = s.config.monitoring.window();
    let mut readings = Vec::with_capacity(items.len());
    for (n, v) in items.iter().enumerate() {
        let r: IngestReading = match serde_json::from_value(v.clone()) {
            Ok(r) => r,
            Err(e) => {
                counts.malformed += 1;
                last_error = Some(format!("readings[{n}]: {e}"));
                continue;
            }
        };
        let Some(at) = crate::clock::parse_time(&r.at) else {
            counts.malformed += 1;
            last_error = Some(format!("readings[{n}].at: not an RFC 3339 time"));
            continue;
        };
        let Some(x) = own.get(&r.sensor_id) else {
            counts.refused_other += 1;
            continue;
        };
        match admit(at, r.value, (x.range_min, x.range_max), w, now) {
            Ok(at) => readings.push(Reading {
                sensor_id: x.id,
                at,
                value: r.value,
            }),
            Err(Refused::Future) => counts.refused_future += 1,
            Err(Refused::Past) => counts.refused_past += 1,
            Err(Refused::OutOfRange) => counts.refused_other += 1,
        }
    }
    let change = s.change().await?;
    let (counts, entries) = store::ingest(
        change,
        s.db.backend(),
        device.id,
        &readings,
        counts,
        last_error.as_deref(),
        now,
    )
    .await?;
    Ok((counts, entries.len()))
}
