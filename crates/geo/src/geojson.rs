//! GeoJSON in and out (polygons and points; WGS84 lon/lat order).

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
            format!("ring has {} positions, needs at least 4", coords.len()),
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

fn collect(v: &Value, path: &str, out: &mut Vec<Polygon<f64>>) -> Result<(), GeoError> {
    let ty = v
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(path, "missing \"type\""))?;
    match ty {
        "Polygon" => out.push(polygon(coords(v, path)?, &format!("{path}.coordinates"))?),
        "MultiPolygon" => {
            let ps = coords(v, path)?
                .as_array()
                .ok_or_else(|| invalid(path, "coordinates must be an array"))?;
            for (i, p) in ps.iter().enumerate() {
                out.push(polygon(p, &format!("{path}.coordinates[{i}]"))?);
            }
        }
        "Feature" => {
            let g = v
                .get("geometry")
                .filter(|g| !g.is_null())
                .ok_or_else(|| invalid(path, "feature has no geometry"))?;
            collect(g, &format!("{path}.geometry"), out)?;
        }
        "FeatureCollection" => {
            let fs = v
                .get("features")
                .and_then(Value::as_array)
                .ok_or_else(|| invalid(path, "missing \"features\""))?;
            for (i, f) in fs.iter().enumerate() {
                collect(f, &format!("{path}.features[{i}]"), out)?;
            }
        }
        "GeometryCollection" => {
            let gs = v
                .get("geometries")
                .and_then(Value::as_array)
                .ok_or_else(|| invalid(path, "missing \"geometries\""))?;
            for (i, g) in gs.iter().enumerate() {
                collect(g, &format!("{path}.geometries[{i}]"), out)?;
            }
        }
        other => return Err(GeoError::WrongType(other.to_string())),
    }
    Ok(())
}

fn coords<'a>(v: &'a Value, path: &str) -> Result<&'a Value, GeoError> {
    v.get("coordinates")
        .ok_or_else(|| invalid(path, "missing \"coordinates\""))
}

/// Parse a Polygon, MultiPolygon, Feature or FeatureCollection (the union
/// of its polygon members) into a multipolygon.
pub fn parse_multipolygon(text: &str) -> Result<MultiPolygon<f64>, GeoError> {
    let v: Value = serde_json::from_str(text).map_err(|e| GeoError::Json(e.to_string()))?;
    from_value(&v)
}

pub fn from_value(v: &Value) -> Result<MultiPolygon<f64>, GeoError> {
    let mut out = Vec::new();
    collect(v, "$", &mut out)?;
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

/// A MultiPolygon geometry object.
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

pub fn point_feature(lon: f64, lat: f64, properties: Map<String, Value>) -> Value {
    json!({ "type": "Feature", "geometry": { "type": "Point", "coordinates": [lon, lat] }, "properties": properties })
}

pub fn feature_collection(features: Vec<Value>) -> Value {
    json!({ "type": "FeatureCollection", "features": features })
}

/// Apply a coordinate conversion (e.g. GCJ-02 → WGS84) to every vertex.
pub fn map_coords(mp: &MultiPolygon<f64>, f: impl Fn(f64, f64) -> (f64, f64)) -> MultiPolygon<f64> {
    use geo::MapCoords;
    mp.map_coords(|c| {
        let (x, y) = f(c.x, c.y);
        Coord { x, y }
    })
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
    }

    #[test]
    fn errors_name_the_place() {
        let cases = [
            ("nope", "not valid JSON"),
            (r#"{"type":"Point","coordinates":[1,2]}"#, "Point"),
            (
                r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}"#,
                "needs at least 4",
            ),
            (
                r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}"#,
                "not closed",
            ),
            (
                r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,91],[0,0]]]}"#,
                "$.coordinates[0][2]",
            ),
            (
                r#"{"type":"Polygon","coordinates":[[[0,0],["a",0],[1,1],[0,0]]]}"#,
                "longitude is not a number",
            ),
            (r#"{"type":"FeatureCollection","features":[]}"#, "no area"),
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
    }
}
