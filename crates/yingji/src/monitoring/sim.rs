//! `yingji sim sensors`: plays realistic readings for every sensor of the
//! database over MQTT (`yingji/<division>/<point>/<code>`), so the demo
//! shows live data — and, 40 seconds after start, a methane run above
//! 1.0 %CH₄ that raises an alarm.

use rumqttc::{AsyncClient, MqttOptions, QoS};
use serde_json::json;
use time::OffsetDateTime;

use super::{Sensor, SensorKind};
use crate::db::Db;

/// The simulated value of a sensor of `kind` `t` seconds after start
/// (`phase` spreads sensors of one kind apart; `noise` in −1…1).
pub fn value(kind: SensorKind, t: f64, phase: f64, noise: f64) -> f64 {
    let wave = ((t / 120.0) + phase).sin();
    let v = match kind {
        // Background 0.2–0.35 %; a build-up to ~1.3 % from 40 s to 90 s.
        SensorKind::Gas => {
            let base = 0.28 + 0.05 * wave + 0.02 * noise;
            let bump = if (40.0..90.0).contains(&t) {
                1.05 * ((t - 40.0) / 10.0).min(1.0)
            } else {
                0.0
            };
            base + bump
        }
        SensorKind::Temperature => 22.0 + 1.5 * wave + 0.2 * noise,
        SensorKind::TailingsLevel => 11.6 + 0.002 * t.min(3600.0) + 0.02 * noise,
        SensorKind::Rainfall => (8.0 + 6.0 * wave + 1.0 * noise).max(0.0),
        SensorKind::WaterLevel => 2.9 + 0.2 * wave + 0.01 * noise,
        SensorKind::Displacement => 0.05 * t / 60.0 + 0.1 * noise,
    };
    (v * 1000.0).round() / 1000.0
}

/// Publish a reading of every sensor every `interval` for `duration`
/// (none: until stopped). Returns how many readings were published.
pub async fn run(
    db: &Db,
    broker: &str,
    interval: std::time::Duration,
    duration: Option<std::time::Duration>,
) -> anyhow::Result<u64> {
    let sensors: Vec<Sensor> = super::store::all_sensors(db).await?;
    if sensors.is_empty() {
        anyhow::bail!("no sensors in this database (`yingji demo` creates some)");
    }
    let url = url::Url::parse(broker)?;
    let host = url
        .host_str()
        .ok_or_else(|| anyhow::anyhow!("{broker}: no host"))?
        .to_string();
    let mut o = MqttOptions::new(
        format!("yingji-sim-{}", std::process::id()),
        host,
        url.port().unwrap_or(1883),
    );
    o.set_keep_alive(std::time::Duration::from_secs(30));
    let (client, mut events) = AsyncClient::new(o, 10_000);
    let pump = tokio::spawn(async move {
        loop {
            if let Err(e) = events.poll().await {
                eprintln!("broker: {e}");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    });
    let start = std::time::Instant::now();
    let mut sent = 0u64;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    loop {
        let t = start.elapsed().as_secs_f64();
        if duration.is_some_and(|d| start.elapsed() >= d) {
            break;
        }
        let now = OffsetDateTime::now_utc();
        for (n, s) in sensors.iter().enumerate() {
            // xorshift: noise without a dependency.
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let noise = (seed % 2001) as f64 / 1000.0 - 1.0;
            let v = value(s.kind, t, n as f64, noise);
            let payload = json!({ "at": crate::clock::format_time(now), "value": v }).to_string();
            client
                .publish(super::mqtt::topic(s), QoS::AtLeastOnce, false, payload)
                .await?;
            sent += 1;
        }
        tokio::time::sleep(interval).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    client.disconnect().await.ok();
    pump.abort();
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_methane_run_crosses_the_limit_within_a_minute_and_ends() {
        let rules = SensorKind::Gas.default_rules();
        let mut st = super::super::RuleState::default();
        let t0 = time::macros::datetime!(2026-07-20 08:00 UTC);
        let mut raised_at = None;
        let mut cleared_at = None;
        for s in (0..150).step_by(10) {
            let v = value(SensorKind::Gas, s as f64, 0.0, 0.0);
            let (next, sig) = super::super::on_reading(
                &rules,
                st,
                t0 + time::Duration::seconds(s),
                v,
                &Default::default(),
            );
            st = next;
            for x in sig {
                match x {
                    super::super::Signal::Raise { .. } => raised_at = raised_at.or(Some(s)),
                    super::super::Signal::Clear { .. } => cleared_at = cleared_at.or(Some(s)),
                }
            }
        }
        assert!(raised_at.is_some_and(|s| s <= 60), "{raised_at:?}");
        assert!(cleared_at.is_some_and(|s| s >= 90), "{cleared_at:?}");
        // Every kind stays inside the demo sensors' ranges.
        for k in SensorKind::ALL {
            for t in [0.0, 60.0, 3600.0] {
                let v = value(k, t, 1.0, 1.0);
                assert!(v.is_finite() && v > -500.0 && v < 300.0, "{k:?} {v}");
            }
        }
    }
}
