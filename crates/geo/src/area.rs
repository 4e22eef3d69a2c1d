//! Target areas and bounding boxes.

use geo::{BoundingRect, Contains, Intersects, MultiPolygon, Point};

use crate::GeoError;

/// A WGS84 bounding box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

impl BBox {
    /// Parse `minLon,minLat,maxLon,maxLat`.
    pub fn parse(s: &str) -> Result<BBox, GeoError> {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        if parts.len() != 4 {
            return Err(GeoError::BBox(format!(
                "expected 4 numbers, got {}",
                parts.len()
            )));
        }
        let mut n = [0.0; 4];
        for (i, p) in parts.iter().enumerate() {
            n[i] = p
                .parse::<f64>()
                .map_err(|_| GeoError::BBox(format!("{p:?} is not a number")))?;
            if !n[i].is_finite() {
                return Err(GeoError::BBox(format!("{p:?} is not finite")));
            }
        }
        let b = BBox {
            min_lon: n[0],
            min_lat: n[1],
            max_lon: n[2],
            max_lat: n[3],
        };
        if b.min_lon > b.max_lon || b.min_lat > b.max_lat {
            return Err(GeoError::BBox("minimum greater than maximum".into()));
        }
        if b.min_lon < -180.0 || b.max_lon > 180.0 || b.min_lat < -90.0 || b.max_lat > 90.0 {
            return Err(GeoError::BBox("out of range (lon ±180, lat ±90)".into()));
        }
        Ok(b)
    }

    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        (self.min_lon..=self.max_lon).contains(&lon) && (self.min_lat..=self.max_lat).contains(&lat)
    }

    pub fn intersects(&self, o: &BBox) -> bool {
        self.min_lon <= o.max_lon
            && o.min_lon <= self.max_lon
            && self.min_lat <= o.max_lat
            && o.min_lat <= self.max_lat
    }
}

/// An area: polygons, or a circle (centre and radius in metres).
#[derive(Debug, Clone, PartialEq)]
pub enum Area {
    MultiPolygon(MultiPolygon<f64>),
    Circle { lon: f64, lat: f64, radius_m: f64 },
}

impl Area {
    /// Whether the point is inside (the boundary counts as inside).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        match self {
            Area::MultiPolygon(mp) => {
                let p = Point::new(lon, lat);
                mp.contains(&p) || mp.intersects(&p)
            }
            Area::Circle {
                lon: cx,
                lat: cy,
                radius_m,
            } => crate::haversine_m(*cx, *cy, lon, lat) <= *radius_m,
        }
    }

    pub fn bbox(&self) -> Option<BBox> {
        match self {
            Area::MultiPolygon(mp) => mp.bounding_rect().map(|r| BBox {
                min_lon: r.min().x,
                min_lat: r.min().y,
                max_lon: r.max().x,
                max_lat: r.max().y,
            }),
            Area::Circle { lon, lat, radius_m } => {
                let dlat = radius_m / 111_320.0;
                let dlon = radius_m / (111_320.0 * lat.to_radians().cos().max(1e-6));
                Some(BBox {
                    min_lon: lon - dlon,
                    min_lat: lat - dlat,
                    max_lon: lon + dlon,
                    max_lat: lat + dlat,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_parse() {
        let b = BBox::parse("113,39.5, 114.5,41").unwrap();
        assert!(b.contains(113.5, 40.0));
        assert!(!b.contains(112.0, 40.0));
        for bad in ["1,2,3", "a,b,c,d", "3,0,1,1", "0,0,200,1", "0,0,NaN,1"] {
            assert!(BBox::parse(bad).is_err(), "{bad}");
        }
        assert!(b.intersects(&BBox::parse("114,40,115,42").unwrap()));
        assert!(!b.intersects(&BBox::parse("115,40,116,42").unwrap()));
    }

    #[test]
    fn areas_contain_points() {
        let mp = crate::geojson::parse_multipolygon(
            r#"{"type":"Polygon","coordinates":[[[113,40],[114,40],[114,41],[113,41],[113,40]]]}"#,
        )
        .unwrap();
        let a = Area::MultiPolygon(mp);
        assert!(a.contains(113.5, 40.5));
        assert!(a.contains(113.0, 40.5), "boundary counts");
        assert!(!a.contains(112.9, 40.5));
        let c = Area::Circle {
            lon: 113.3,
            lat: 40.08,
            radius_m: 1000.0,
        };
        assert!(c.contains(113.305, 40.08));
        assert!(!c.contains(113.32, 40.08));
        let b = c.bbox().unwrap();
        assert!(b.contains(113.311, 40.08) && !b.contains(113.313, 40.08));
    }
}
