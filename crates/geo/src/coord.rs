//! WGS84 ↔ GCJ-02 ↔ BD-09, every direction.
//!
//! - **WGS84**: GPS, OpenStreetMap; CGCS2000 (China's official datum) agrees
//!   with it to centimetres, far below anything that matters here.
//! - **GCJ-02** ("Mars coordinates", 火星坐标): WGS84 plus a deterministic,
//!   non-linear offset of typically 300–700 m, mandatory for maps published
//!   in mainland China (Amap/高德, Tencent/腾讯, Google Maps in China). The
//!   forward formula here is the widely published one (Krasovsky 1940
//!   ellipsoid constants) used by every open implementation.
//! - **BD-09** (Baidu/百度 `bd09ll`): GCJ-02 rotated and scaled slightly
//!   further.
//!
//! Outside China's rough bounding box ([`out_of_china`]) no offset is
//! applied: GCJ-02 and BD-09 *are* WGS84 there, as Baidu's own documentation
//! states for its overseas data. The box is coarse (it includes parts of
//! neighbouring countries); that is the convention every implementation
//! shares, so it is what the data in the wild was produced with.
//!
//! GCJ-02 → WGS84 has no closed form. The common one-step approximation
//! (subtract the offset computed at the GCJ-02 point) is off by up to
//! about a metre;
//! [`gcj02_to_wgs84`] instead iterates the forward transform until it
//! reproduces the input to within 1e-10° (~0.01 mm), which takes 2–4 steps.
//! [`bd09_to_gcj02`] likewise refines the published approximate inverse.
//! So `wgs84_to_gcj02(gcj02_to_wgs84(p)) == p` to ~1e-10°.

use std::f64::consts::PI;

const A: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;
const X_PI: f64 = PI * 3000.0 / 180.0;

/// Whether the point is outside the box (lon 72.004–137.8347,
/// lat 0.8293–55.8271) in which GCJ-02/BD-09 offsets are applied. NaN
/// counts as outside (and is returned unchanged by the conversions).
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

/// Stop iterating an inverse when it reproduces its input this closely (degrees).
const INVERSE_TOLERANCE: f64 = 1e-10;

/// GCJ-02 → WGS84, exact to ~1e-10° (fixed-point iteration of the forward
/// transform, starting from the one-step approximation).
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    let (gx, gy) = wgs84_to_gcj02(lon, lat);
    let (mut x, mut y) = (2.0 * lon - gx, 2.0 * lat - gy);
    for _ in 0..30 {
        let (gx, gy) = wgs84_to_gcj02(x, y);
        let (ex, ey) = (gx - lon, gy - lat);
        x -= ex;
        y -= ey;
        if ex.abs() < INVERSE_TOLERANCE && ey.abs() < INVERSE_TOLERANCE {
            break;
        }
    }
    (x, y)
}

/// GCJ-02 → BD-09 (identity outside China).
pub fn gcj02_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    let z = (lon * lon + lat * lat).sqrt() + 0.00002 * (lat * X_PI).sin();
    let theta = lat.atan2(lon) + 0.000003 * (lon * X_PI).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

/// BD-09 → GCJ-02 (identity outside China): the published approximate
/// inverse (error ~1e-6°), refined by iteration to ~1e-10°.
pub fn bd09_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
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
        if ex.abs() < INVERSE_TOLERANCE && ey.abs() < INVERSE_TOLERANCE {
            break;
        }
    }
    (gx, gy)
}

/// WGS84 → BD-09 (via GCJ-02).
pub fn wgs84_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = wgs84_to_gcj02(lon, lat);
    gcj02_to_bd09(x, y)
}

/// BD-09 → WGS84 (via GCJ-02), exact to ~1e-10°.
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

    /// Reference values from wandergis/coordtransform (the most widely copied
    /// JavaScript implementation), `test/app.js`, for the input
    /// (116.404, 39.915):
    ///
    /// ```text
    /// bd09togcj02:   [ 116.39762729119315, 39.90865673957631 ]
    /// gcj02tobd09:   [ 116.41036949371029, 39.92133699351021 ]
    /// wgs84togcj02:  [ 116.41024449916938, 39.91640428150164 ]
    /// gcj02towgs84:  [ 116.39775550083061, 39.91359571849836 ]
    /// ```
    #[test]
    fn reference_points_wandergis_coordtransform() {
        let p = (116.404, 39.915);
        let got = wgs84_to_gcj02(p.0, p.1);
        assert!(
            close(got, (116.41024449916938, 39.91640428150164), 1e-12),
            "{got:?}"
        );
        let got = gcj02_to_bd09(p.0, p.1);
        assert!(
            close(got, (116.41036949371029, 39.92133699351021), 1e-12),
            "{got:?}"
        );
        // Their inverses are the one-step approximations, here good to a few
        // 1e-7° (centimetres; elsewhere up to ~1e-5°, a metre); ours iterate
        // to 1e-10°.
        let got = bd09_to_gcj02(p.0, p.1);
        assert!(
            close(got, (116.39762729119315, 39.90865673957631), 2e-6),
            "{got:?}"
        );
        let got = gcj02_to_wgs84(p.0, p.1);
        assert!(
            close(got, (116.39775550083061, 39.91359571849836), 2e-6),
            "{got:?}"
        );
        // Ours map back onto the input; the one-step result misses it.
        let ours = gcj02_to_wgs84(p.0, p.1);
        assert!(close(wgs84_to_gcj02(ours.0, ours.1), p, 1e-9));
        let theirs = wgs84_to_gcj02(116.39775550083061, 39.91359571849836);
        assert!(!close(theirs, p, 1e-7), "{theirs:?}");
        let ours = bd09_to_gcj02(p.0, p.1);
        assert!(close(gcj02_to_bd09(ours.0, ours.1), p, 1e-9));
    }

    /// The usage examples in the README of the npm package
    /// `coordinates-transform` (Wang Sijie, MIT), a Shanghai point:
    ///
    /// ```text
    /// bd09togcj02(121.442869, 31.032034)  // [ 121.4364664212716, 31.025677793196795 ]
    /// gcj02tobd09(121.436466, 31.025677)  // [ 121.44286883589297, 31.03203364007244 ]
    /// gcj02towgs84(121.436466, 31.025677) // [ 121.43186360201696, 31.0276475152394 ]
    /// wgs84togcj02(121.431863, 31.027647) // [ 121.43647333299322, 31.025684130869397 ]
    /// ```
    #[test]
    fn reference_points_coordinates_transform() {
        let got = gcj02_to_bd09(121.436466, 31.025677);
        assert!(
            close(got, (121.44286883589297, 31.03203364007244), 1e-12),
            "{got:?}"
        );
        let got = wgs84_to_gcj02(121.431863, 31.027647);
        assert!(
            close(got, (121.43647333299322, 31.025684130869397), 1e-12),
            "{got:?}"
        );
        // One-step inverses there, exact here (see above).
        let got = bd09_to_gcj02(121.442869, 31.032034);
        assert!(
            close(got, (121.4364664212716, 31.025677793196795), 2e-6),
            "{got:?}"
        );
        // Here the one-step GCJ-02 → WGS84 is ~1 m off (8e-6°), ours is not:
        let got = gcj02_to_wgs84(121.436466, 31.025677);
        assert!(
            close(got, (121.43186360201696, 31.0276475152394), 2e-5),
            "{got:?}"
        );
        assert!(close(
            wgs84_to_gcj02(got.0, got.1),
            (121.436466, 31.025677),
            1e-9
        ));
        let theirs = wgs84_to_gcj02(121.43186360201696, 31.0276475152394);
        let miss = crate::haversine_m(theirs.0, theirs.1, 121.436466, 31.025677);
        assert!((0.5..2.0).contains(&miss), "{miss} m");
    }

    /// Test pairs from googollee/eviltransform (`go/transform_test.go`,
    /// `python/test.py`), written there as (wgsLat, wgsLng, gcjLat, gcjLng).
    /// eviltransform compares the forward result to 5–6 decimals (some of
    /// its ports use a = 6378137 instead of Krasovsky's 6378245, a 1e-7°
    /// difference) and requires its exact inverse to land within 0.5 m.
    #[test]
    fn reference_points_eviltransform() {
        let pairs = [
            // shanghai
            (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
            // shenzhen
            (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
            // beijing
            (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
        ];
        for (wlat, wlng, glat, glng) in pairs {
            let got = wgs84_to_gcj02(wlng, wlat);
            assert!(close(got, (glng, glat), 1e-6), "{got:?}");
            let back = gcj02_to_wgs84(glng, glat);
            let d = crate::haversine_m(back.0, back.1, wlng, wlat);
            assert!(d < 0.05, "{d} m");
        }
    }

    #[test]
    fn offset_is_hundreds_of_metres_in_datong() {
        let (lon, lat) = (113.30, 40.08);
        let (gx, gy) = wgs84_to_gcj02(lon, lat);
        let d = crate::haversine_m(lon, lat, gx, gy);
        assert!((100.0..800.0).contains(&d), "{d} m");
        let (bx, by) = wgs84_to_bd09(lon, lat);
        let d = crate::haversine_m(lon, lat, bx, by);
        assert!((500.0..2000.0).contains(&d), "{d} m");
    }

    #[test]
    fn no_offset_outside_china() {
        type F = fn(f64, f64) -> (f64, f64);
        let all: [F; 6] = [
            wgs84_to_gcj02,
            gcj02_to_wgs84,
            gcj02_to_bd09,
            bd09_to_gcj02,
            wgs84_to_bd09,
            bd09_to_wgs84,
        ];
        for p in [(9.52, 47.14), (-0.12, 51.5), (151.2, -33.87), (113.3, 0.5)] {
            assert!(out_of_china(p.0, p.1));
            for f in all {
                assert_eq!(f(p.0, p.1), p);
            }
        }
        assert!(!out_of_china(113.3, 40.08));
        assert!(out_of_china(f64::NAN, 40.0));
        assert!(gcj02_to_wgs84(f64::NAN, 40.0).0.is_nan());
    }

    proptest! {
        #[test]
        fn round_trips_inside_china(lon in 73.0f64..135.0, lat in 18.0f64..53.0) {
            let (gx, gy) = wgs84_to_gcj02(lon, lat);
            prop_assert!(close(gcj02_to_wgs84(gx, gy), (lon, lat), 1e-9));
            let (bx, by) = gcj02_to_bd09(lon, lat);
            prop_assert!(close(bd09_to_gcj02(bx, by), (lon, lat), 1e-9));
            let (bx, by) = wgs84_to_bd09(lon, lat);
            prop_assert!(close(bd09_to_wgs84(bx, by), (lon, lat), 1e-9));
        }

        #[test]
        fn inverses_reproduce_their_input(lon in 73.0f64..135.0, lat in 18.0f64..53.0) {
            let (wx, wy) = gcj02_to_wgs84(lon, lat);
            prop_assert!(close(wgs84_to_gcj02(wx, wy), (lon, lat), 1e-9));
            let (wx, wy) = bd09_to_wgs84(lon, lat);
            prop_assert!(close(wgs84_to_bd09(wx, wy), (lon, lat), 1e-9));
            // The offset is never more than a couple of kilometres.
            prop_assert!(crate::haversine_m(lon, lat, wx, wy) < 3_000.0);
        }
    }
}
