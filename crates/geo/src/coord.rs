//! WGS84 ↔ GCJ-02 ↔ BD-09.
//!
//! GCJ-02 is WGS84 plus a deterministic, non-linear offset (the published
//! algorithm, Krasovsky 1940 ellipsoid constants); it is applied only inside
//! China's rough bounding box. BD-09 is a further rotation/scale of GCJ-02.
//! The inverse of GCJ-02 has no closed form: [`gcj02_to_wgs84`] iterates the
//! forward transform until the error is below 1e-9° (≈ 0.1 mm).

use std::f64::consts::PI;

const A: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;
const X_PI: f64 = PI * 3000.0 / 180.0;

/// Outside this box no offset is applied (the convention of every implementation).
pub fn out_of_china(lon: f64, lat: f64) -> bool {
    !(72.004..=137.8347).contains(&lon) || !(0.8293..=55.8271).contains(&lat)
}

fn transform_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn transform_lon(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// WGS84 → GCJ-02.
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    let mut dlat = transform_lat(lon - 105.0, lat - 35.0);
    let mut dlon = transform_lon(lon - 105.0, lat - 35.0);
    let radlat = lat / 180.0 * PI;
    let magic = 1.0 - EE * radlat.sin() * radlat.sin();
    let sqrtmagic = magic.sqrt();
    dlat = (dlat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrtmagic) * PI);
    dlon = (dlon * 180.0) / (A / sqrtmagic * radlat.cos() * PI);
    (lon + dlon, lat + dlat)
}

/// GCJ-02 → WGS84, by fixed-point iteration of the forward transform.
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    let (mut x, mut y) = (lon, lat);
    for _ in 0..30 {
        let (gx, gy) = wgs84_to_gcj02(x, y);
        let (ex, ey) = (gx - lon, gy - lat);
        x -= ex;
        y -= ey;
        if ex.abs() < 1e-10 && ey.abs() < 1e-10 {
            break;
        }
    }
    (x, y)
}

/// GCJ-02 → BD-09.
pub fn gcj02_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    let z = (lon * lon + lat * lat).sqrt() + 0.00002 * (lat * X_PI).sin();
    let theta = lat.atan2(lon) + 0.000003 * (lon * X_PI).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

/// BD-09 → GCJ-02 (the published approximate inverse, error < 1e-5°; refined
/// here by iteration to < 1e-9°).
pub fn bd09_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    let x = lon - 0.0065;
    let y = lat - 0.006;
    let z = (x * x + y * y).sqrt() - 0.00002 * (y * X_PI).sin();
    let theta = y.atan2(x) - 0.000003 * (x * X_PI).cos();
    let (mut gx, mut gy) = (z * theta.cos(), z * theta.sin());
    for _ in 0..10 {
        let (bx, by) = gcj02_to_bd09(gx, gy);
        let (ex, ey) = (bx - lon, by - lat);
        gx -= ex;
        gy -= ey;
        if ex.abs() < 1e-10 && ey.abs() < 1e-10 {
            break;
        }
    }
    (gx, gy)
}

pub fn wgs84_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = wgs84_to_gcj02(lon, lat);
    gcj02_to_bd09(x, y)
}

pub fn bd09_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = bd09_to_gcj02(lon, lat);
    gcj02_to_wgs84(x, y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: (f64, f64), b: (f64, f64), tol: f64) -> bool {
        (a.0 - b.0).abs() < tol && (a.1 - b.1).abs() < tol
    }

    /// Reference values published in the README of the widely used
    /// `coordtransform` library (wandergis/coordtransform), for 116.404, 39.915.
    #[test]
    fn published_reference_points() {
        let p = (116.404, 39.915);
        assert!(
            close(
                wgs84_to_gcj02(p.0, p.1),
                (116.41024449916938, 39.91640428150164),
                1e-9
            ),
            "{:?}",
            wgs84_to_gcj02(p.0, p.1)
        );
        assert!(
            close(
                gcj02_to_bd09(p.0, p.1),
                (116.41036949371029, 39.92133699351021),
                1e-9
            ),
            "{:?}",
            gcj02_to_bd09(p.0, p.1)
        );
        // Their inverses are the one-step approximations; ours are exact, so
        // compare with a tolerance of the approximation's error (~1e-5°).
        assert!(
            close(
                bd09_to_gcj02(p.0, p.1),
                (116.39762729119315, 39.90865673957631),
                2e-5
            ),
            "{:?}",
            bd09_to_gcj02(p.0, p.1)
        );
        assert!(
            close(
                gcj02_to_wgs84(p.0, p.1),
                (116.39775550083061, 39.91359571849836),
                2e-5
            ),
            "{:?}",
            gcj02_to_wgs84(p.0, p.1)
        );
    }

    #[test]
    fn offset_is_hundreds_of_metres_in_datong() {
        let (lon, lat) = (113.30, 40.08);
        let (gx, gy) = wgs84_to_gcj02(lon, lat);
        let d = crate::haversine_m(lon, lat, gx, gy);
        assert!((100.0..800.0).contains(&d), "{d} m");
    }

    #[test]
    fn no_offset_outside_china() {
        assert_eq!(wgs84_to_gcj02(9.52, 47.14), (9.52, 47.14)); // Vaduz
        assert_eq!(gcj02_to_wgs84(-0.12, 51.5), (-0.12, 51.5));
        assert!(out_of_china(9.52, 47.14));
        assert!(!out_of_china(113.3, 40.08));
    }

    proptest! {
        #[test]
        fn round_trips_inside_china(lon in 73.0f64..135.0, lat in 18.0f64..53.0) {
            let (gx, gy) = wgs84_to_gcj02(lon, lat);
            prop_assert!(close(gcj02_to_wgs84(gx, gy), (lon, lat), 1e-8));
            let (bx, by) = gcj02_to_bd09(lon, lat);
            prop_assert!(close(bd09_to_gcj02(bx, by), (lon, lat), 1e-8));
            let (bx, by) = wgs84_to_bd09(lon, lat);
            prop_assert!(close(bd09_to_wgs84(bx, by), (lon, lat), 1e-8));
        }
    }
}
