//! GeoJSON in and out (polygons and points; lon/lat order, RFC 7946).
//!
//! Reading: [`parse_multipolygon`] accepts a bare Polygon or MultiPolygon, a
//! Feature, a FeatureCollection or a GeometryCollection, and returns the
//! union of their polygon members as one [`MultiPolygon`] (members are
//! collected, not dissolved). Inside a collection, point and line members and
//! features without geometry are skipped; at the top level they are an
//! error. Every error names the JSON path of the offending value, e.g.
//! `$.features[3].geometry.coordinates[0][17]: coordinate (200, 40) out of
//! range (lon ±180, lat ±90)`.
//!
//! The parser checks what GeoJSON itself requires (closed rings of at least
//! 4 positions, numeric in-range coordinates) but not topology: use
//! [`crate::validate::validate_polygon`] for self-intersections.
//!
//! Writing: [`multipolygon_to_geojson`], [`point_feature`], [`feature`],
//! [`feature_collection`]. Coordinates are written with 7 decimals (≈ 1 cm).
//!
//! [`map_coords`] applies a conversion such as
//! [`gcj02_to_wgs84`](crate::coord::gcj02_to_wgs84) to every vertex;
//! [`simplify`] thins out vertices for display.

use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::{json, Map, Value};

use crate::GeoError;

fn invalid(path: &str, message: impl Into<String>) -> GeoError {
    GeoError::Invalid {
        path: path.to_string(),
        message: message.into(),
    }
}

fn position(v: &Value, path: &str) -> Result<Coord<f64>, GeoError> {
    let a = v
        .as_array()
        .ok_or_else(|| invalid(path, "position must be an array [lon, lat]"))?;
    if a.len() < 2 {
        return Err(invalid(path, "position needs at least [lon, lat]"));
    }
    let x = a[0]
        .as_f64()
        .ok_or_else(|| invalid(path, "longitude is not a number"))?;
    let y = a[1]
        .as_f64()
        .ok_or_else(|| invalid(path, "latitude is not a number"))?;
    if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
        return Err(invalid(
            path,
            format!("coordinate ({x}, {y}) out of range (lon ±180, lat ±90)"),
        ));
    }
    Ok(Coord { x, y })
}

fn ring(v: &Value, path: &str) -> Result<LineString<f64>, GeoError> {
    let a = v
        .as_array()
        .ok_or_else(|| invalid(path, "ring must be an array of positions"))?;
    let coords = a
        .iter()
        .enumerate()
        .map(|(i, p)| position(p, &format!("{path}[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    if coords.len() < 4 {
        return Err(invalid(
            path,
            format!(
                "ring has {} positions, needs at least 4 (a closed ring repeats its first position at the end)",
                coords.len()
            ),
        ));
    }
    if coords.first() != coords.last() {
        return Err(invalid(
            path,
            "ring is not closed (first position differs from last)",
        ));
    }
    Ok(LineString::new(coords))
}

fn polygon(v: &Value, path: &str) -> Result<Polygon<f64>, GeoError> {
    let rings = v
        .as_array()
        .ok_or_else(|| invalid(path, "polygon must be an array of rings"))?;
    let mut it = rings.iter().enumerate();
    let (_, outer) = it
        .next()
        .ok_or_else(|| invalid(path, "polygon has no rings"))?;
    let outer = ring(outer, &format!("{path}[0]"))?;
    let holes = it
        .map(|(i, r)| ring(r, &format!("{path}[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(outer, holes))
}

/// GeoJSON geometry types that have no area: skipped inside collections.
const NON_AREAL: [&str; 4] = ["Point", "MultiPoint", "LineString", "MultiLineString"];

fn collect(
    v: &Value,
    path: &str,
    in_collection: bool,
    out: &mut Vec<Polygon<f64>>,
) -> Result<(), GeoError> {
    if !v.is_object() {
        return Err(invalid(path, "expected a GeoJSON object"));
    }
    let ty = v
        .get("type")
        .ok_or_else(|| invalid(path, "missing \"type\""))?
        .as_str()
        .ok_or_else(|| invalid(path, "\"type\" must be a string"))?;
    match ty {
        "Polygon" => out.push(polygon(coords(v, path)?, &format!("{path}.coordinates"))?),
        "MultiPolygon" => {
            let ps = coords(v, path)?.as_array().ok_or_else(|| {
                invalid(
                    &format!("{path}.coordinates"),
                    "must be an array of polygons",
                )
            })?;
            for (i, p) in ps.iter().enumerate() {
                out.push(polygon(p, &format!("{path}.coordinates[{i}]"))?);
            }
        }
        "Feature" => match v.get("geometry") {
            Some(g) if !g.is_null() => collect(g, &format!("{path}.geometry"), in_collection, out)?,
            _ if in_collection => {}
            _ => return Err(invalid(path, "feature has no geometry")),
        },
        "FeatureCollection" => {
            let fs = v
                .get("features")
                .ok_or_else(|| invalid(path, "missing \"features\""))?
                .as_array()
                .ok_or_else(|| invalid(&format!("{path}.features"), "must be an array"))?;
            for (i, f) in fs.iter().enumerate() {
                collect(f, &format!("{path}.features[{i}]"), true, out)?;
            }
        }
        "GeometryCollection" => {
            let gs = v
                .get("geometries")
                .ok_or_else(|| invalid(path, "missing \"geometries\""))?
                .as_array()
                .ok_or_else(|| invalid(&format!("{path}.geometries"), "must be an array"))?;
            for (i, g) in gs.iter().enumerate() {
                collect(g, &format!("{path}.geometries[{i}]"), true, out)?;
            }
        }
        t if in_collection && NON_AREAL.contains(&t) => {}
        other => {
            return Err(GeoError::WrongType {
                path: path.to_string(),
                found: other.to_string(),
            })
        }
    }
    Ok(())
}

fn coords<'a>(v: &'a Value, path: &str) -> Result<&'a Value, GeoError> {
    v.get("coordinates")
        .ok_or_else(|| invalid(path, "missing \"coordinates\""))
}

/// Parse a Polygon, MultiPolygon, Feature, FeatureCollection or
/// GeometryCollection (the union of its polygon members) into a
/// multipolygon. See the [module docs](self) for what is checked.
pub fn parse_multipolygon(text: &str) -> Result<MultiPolygon<f64>, GeoError> {
    let v: Value = serde_json::from_str(text).map_err(|e| GeoError::Json(e.to_string()))?;
    from_value(&v)
}

/// As [`parse_multipolygon`], from already-parsed JSON.
pub fn from_value(v: &Value) -> Result<MultiPolygon<f64>, GeoError> {
    let mut out = Vec::new();
    collect(v, "$", false, &mut out)?;
    if out.is_empty() {
        return Err(GeoError::Empty);
    }
    Ok(MultiPolygon::new(out))
}

fn ring_json(r: &LineString<f64>) -> Value {
    Value::Array(
        r.coords()
            .map(|c| json!([round(c.x), round(c.y)]))
            .collect(),
    )
}

/// Seven decimals (≈ 1 cm) is more than any source has.
fn round(x: f64) -> f64 {
    (x * 1e7).round() / 1e7
}

/// A MultiPolygon geometry object (not a Feature).
pub fn multipolygon_to_geojson(mp: &MultiPolygon<f64>) -> Value {
    let polys: Vec<Value> =
        mp.0.iter()
            .map(|p| {
                let mut rings = vec![ring_json(p.exterior())];
                rings.extend(p.interiors().iter().map(ring_json));
                Value::Array(rings)
            })
            .collect();
    json!({ "type": "MultiPolygon", "coordinates": polys })
}

/// A Feature with a Point geometry.
pub fn point_feature(lon: f64, lat: f64, properties: Map<String, Value>) -> Value {
    feature(
        json!({ "type": "Point", "coordinates": [lon, lat] }),
        properties,
    )
}

/// A Feature with any geometry object (e.g. from [`multipolygon_to_geojson`]).
pub fn feature(geometry: Value, properties: Map<String, Value>) -> Value {
    json!({ "type": "Feature", "geometry": geometry, "properties": properties })
}

/// A FeatureCollection.
pub fn feature_collection(features: Vec<Value>) -> Value {
    json!({ "type": "FeatureCollection", "features": features })
}

/// Apply a coordinate conversion to every vertex, e.g.
/// `map_coords(&mp, coord::gcj02_to_wgs84)` for GCJ-02 data.
pub fn map_coords(mp: &MultiPolygon<f64>, f: impl Fn(f64, f64) -> (f64, f64)) -> MultiPolygon<f64> {
    use geo::MapCoords;
    mp.map_coords(|c| {
        let (x, y) = f(c.x, c.y);
        Coord { x, y }
    })
}

/// Ramer–Douglas–Peucker simplification with a tolerance in degrees
/// (0.0001° ≈ 11 m north–south). Rings no bigger than the tolerance (both
/// width and height ≤ `tolerance_deg`) or left with fewer than 4 positions
/// are dropped — a polygon whose exterior goes is dropped whole — so the
/// result may be empty for a large tolerance.
///
/// For display: RDP does not preserve topology, so a large tolerance can make
/// a ring cross itself or its neighbours; check with
/// [`validate_polygon`](crate::validate_polygon) if that matters.
pub fn simplify(mp: &MultiPolygon<f64>, tolerance_deg: f64) -> MultiPolygon<f64> {
    use geo::{BoundingRect, Simplify};
    let ok = |r: &LineString<f64>| {
        r.0.len() >= 4
            && r.bounding_rect()
                .is_some_and(|b| b.width() > tolerance_deg || b.height() > tolerance_deg)
    };
    MultiPolygon::new(
        mp.0.iter()
            .filter_map(|p| {
                if !ok(p.exterior()) {
                    return None;
                }
                let s = p.simplify(tolerance_deg);
                if !ok(s.exterior()) {
                    return None;
                }
                let holes = p
                    .interiors()
                    .iter()
                    .zip(s.interiors())
                    .filter(|(orig, simple)| ok(orig) && ok(simple))
                    .map(|(_, simple)| simple.clone())
                    .collect();
                Some(Polygon::new(s.exterior().clone(), holes))
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str =
        r#"{"type":"Polygon","coordinates":[[[113,40],[114,40],[114,41],[113,41],[113,40]]]}"#;

    #[test]
    fn parses_every_container() {
        assert_eq!(parse_multipolygon(SQUARE).unwrap().0.len(), 1);
        let multi = r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[2,2],[3,2],[3,3],[2,2]]]]}"#;
        assert_eq!(parse_multipolygon(multi).unwrap().0.len(), 2);
        let feature = format!(r#"{{"type":"Feature","properties":{{}},"geometry":{SQUARE}}}"#);
        assert_eq!(parse_multipolygon(&feature).unwrap().0.len(), 1);
        let fc = format!(r#"{{"type":"FeatureCollection","features":[{feature},{feature}]}}"#);
        assert_eq!(parse_multipolygon(&fc).unwrap().0.len(), 2);
        let gc = format!(r#"{{"type":"GeometryCollection","geometries":[{SQUARE},{multi}]}}"#);
        assert_eq!(parse_multipolygon(&gc).unwrap().0.len(), 3);
    }

    #[test]
    fn holes_and_altitudes() {
        let mp = parse_multipolygon(
            r#"{"type":"Polygon","coordinates":[
                [[0,0,100],[4,0,100],[4,4,100],[0,4,100],[0,0,100]],
                [[1,1],[1,2],[2,2],[2,1],[1,1]]]}"#,
        )
        .unwrap();
        assert_eq!(mp.0[0].interiors().len(), 1);
        assert_eq!(mp.0[0].exterior().0[1], Coord { x: 4.0, y: 0.0 });
    }

    #[test]
    fn collections_skip_points_and_empty_features() {
        let fc = format!(
            r#"{{"type":"FeatureCollection","features":[
                {{"type":"Feature","properties":{{"label":"x"}},"geometry":{{"type":"Point","coordinates":[113.5,40.5]}}}},
                {{"type":"Feature","properties":{{}},"geometry":null}},
                {{"type":"Feature","properties":{{}},"geometry":{SQUARE}}}]}}"#
        );
        assert_eq!(parse_multipolygon(&fc).unwrap().0.len(), 1);
        let only_points = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}]}"#;
        assert_eq!(parse_multipolygon(only_points), Err(GeoError::Empty));
    }

    #[test]
    fn errors_name_the_place() {
        let cases = [
            ("nope", "not valid JSON"),
            ("[1,2]", "$: expected a GeoJSON object"),
            (r#"{"coordinates":[]}"#, "$: missing \"type\""),
            (r#"{"type":7}"#, "\"type\" must be a string"),
            (
                r#"{"type":"Point","coordinates":[1,2]}"#,
                "$: unsupported GeoJSON type \"Point\"",
            ),
            (
                r#"{"type":"Polygn","coordinates":[]}"#,
                "unsupported GeoJSON type \"Polygn\"",
            ),
            (
                r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polgon"}}]}"#,
                "$.features[0].geometry: unsupported GeoJSON type \"Polgon\"",
            ),
            (r#"{"type":"Polygon"}"#, "$: missing \"coordinates\""),
            (
                r#"{"type":"Polygon","coordinates":[]}"#,
                "$.coordinates: polygon has no rings",
            ),
            (
                r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}"#,
                "$.coordinates[0]: ring has 3 positions, needs at least 4",
            ),
            (
                r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}"#,
                "$.coordinates[0]: ring is not closed",
            ),
            (
                r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,91],[0,0]]]}"#,
                "$.coordinates[0][2]: coordinate (1, 91) out of range",
            ),
            (
                r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]],[[0,0],[1,0]]]}"#,
                "$.coordinates[1]: ring has 2 positions",
            ),
            (
                r#"{"type":"Polygon","coordinates":[[[0,0],["a",0],[1,1],[0,0]]]}"#,
                "$.coordinates[0][1]: longitude is not a number",
            ),
            (
                r#"{"type":"Polygon","coordinates":[[[0,0],[1],[1,1],[0,0]]]}"#,
                "$.coordinates[0][1]: position needs at least [lon, lat]",
            ),
            (
                r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[0,0],[1,0],[1,1],[0,0.5]]]]}"#,
                "$.coordinates[1][0]: ring is not closed",
            ),
            (
                r#"{"type":"Feature","properties":{},"geometry":null}"#,
                "$: feature has no geometry",
            ),
            (
                r#"{"type":"FeatureCollection","features":{}}"#,
                "$.features: must be an array",
            ),
            (
                r#"{"type":"FeatureCollection","features":[]}"#,
                "no polygon found",
            ),
        ];
        for (input, needle) in cases {
            let e = parse_multipolygon(input).unwrap_err().to_string();
            assert!(e.contains(needle), "{input}: {e}");
        }
    }

    #[test]
    fn writes_what_it_reads() {
        let mp = parse_multipolygon(SQUARE).unwrap();
        let back = from_value(&multipolygon_to_geojson(&mp)).unwrap();
        assert_eq!(mp, back);
        let moved = map_coords(&mp, |x, y| (x + 1.0, y));
        assert_eq!(moved.0[0].exterior().0[0].x, 114.0);
        // Rounded to 7 decimals.
        let fine = map_coords(&mp, |x, y| (x + 1.234_567_89e-3, y));
        let v = multipolygon_to_geojson(&fine);
        assert_eq!(v["coordinates"][0][0][0][0], json!(113.0012346));
    }

    #[test]
    fn features() {
        let mut props = Map::new();
        props.insert("name".into(), json!("大同"));
        let f = point_feature(113.3, 40.08, props.clone());
        assert_eq!(
            f,
            json!({"type":"Feature","geometry":{"type":"Point","coordinates":[113.3,40.08]},"properties":{"name":"大同"}})
        );
        let fc = feature_collection(vec![f.clone()]);
        assert_eq!(fc["type"], "FeatureCollection");
        assert_eq!(fc["features"][0], f);
        let mp = parse_multipolygon(SQUARE).unwrap();
        let pf = feature(multipolygon_to_geojson(&mp), props);
        assert_eq!(parse_multipolygon(&pf.to_string()).unwrap(), mp);
    }

    #[test]
    fn simplify_thins_and_drops_collapsed_rings() {
        // A square with 400 points along its edges and a tiny hole.
        let mut ext: Vec<(f64, f64)> = Vec::new();
        for i in 0..100 {
            let t = i as f64 / 100.0;
            ext.push((t, 0.0));
        }
        for i in 0..100 {
            ext.push((1.0, i as f64 / 100.0));
        }
        for i in 0..100 {
            ext.push((1.0 - i as f64 / 100.0, 1.0));
        }
        for i in 0..100 {
            ext.push((0.0, 1.0 - i as f64 / 100.0));
        }
        ext.push((0.0, 0.0));
        let hole = vec![(0.5, 0.5), (0.5001, 0.5), (0.5001, 0.5001), (0.5, 0.5)];
        let mp = MultiPolygon::new(vec![Polygon::new(ext.into(), vec![hole.into()])]);
        let s = simplify(&mp, 0.001);
        assert_eq!(s.0.len(), 1);
        assert_eq!(s.0[0].exterior().0.len(), 5);
        assert!(s.0[0].interiors().is_empty(), "the hole collapsed");
        assert!(simplify(&mp, 10.0).0.is_empty());
    }
}
