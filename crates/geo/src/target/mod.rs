//! Area targeting for public warnings: which subscribers, villages and
//! townships a drawn area reaches.
//!
//! - [`TargetArea`]: the union of any number of polygons / multipolygons and
//!   circles (centre + radius in metres, great-circle), prepared for
//!   millions of exact point tests.
//! - [`PointSet`]: millions of `(id, lon, lat)` points (subscribers,
//!   population), bulk-loaded into a compact grid, answering
//!   [`ids_in`](PointSet::ids_in) / [`count_in`](PointSet::count_in) for a
//!   target area, on one thread or several.
//! - [`Divisions`]: divisions (villages, townships) known by one
//!   representative point each, resolved to those an area touches with the
//!   number of points (subscribers) reached in each ([`Divisions::reach`]).
//!
//! # Semantics (what "inside" means)
//!
//! Every point is classified exactly as a [`Location`]: `Inside` (in the
//! interior), `Boundary` or `Outside`. Which locations are *targeted* is the
//! area's [`Predicate`]:
//!
//! - [`Predicate::Covers`] (the default): `Inside` or `Boundary`. This is
//!   PostGIS `ST_Covers(area, point)` (equivalently `ST_Intersects` for a
//!   point): a person standing exactly on the drawn line is warned.
//! - [`Predicate::Contains`]: `Inside` only, PostGIS
//!   `ST_Contains(area, point)`.
//!
//! For polygons, coordinates are planar lon/lat degrees, as in PostGIS
//! `geometry` with SRID 4326: an edge is the straight segment between its
//! vertices in the lon/lat plane. The tests are exact (robust orientation
//! predicates, no epsilon): a point exactly on an edge or a vertex is
//! `Boundary`, however the edge is oriented. Holes exclude their interior;
//! their rings are boundary. Ring orientation does not matter. A point is
//! `Inside` a multipolygon if it is in the interior of *any* member, so
//! overlapping members behave as their union.
//!
//! A circle is the set of points whose great-circle distance
//! ([`haversine_m`](crate::haversine_m), sphere of radius
//! [`EARTH_RADIUS_M`](crate::EARTH_RADIUS_M)) from the centre is `<= radius`
//! (`Boundary` when it is exactly equal). This matches PostGIS
//! `ST_DWithin(geography, geography, radius, false)` (sphere) up to the last
//! bits of the distance computation and PostGIS's sphere radius
//! (6 371 008.771 m versus ours 6 371 008.8 m: 14 µm on a 3 km radius).
//!
//! For a union, the location is the best over its members: `Inside` if in the
//! interior of any member, else `Boundary` if on any member's boundary. (So
//! with [`Predicate::Contains`], a point on the shared edge of two touching
//! polygons is not targeted, whereas `ST_Contains` on their dissolved union
//! would say it is; use [`Predicate::Covers`] for unions.)
//!
//! The antimeridian is not handled; nothing in China comes near it.

mod divisions;
mod points;
mod rings;

#[cfg(test)]
mod tests;

pub use divisions::{DivisionReach, Divisions};
pub use points::{PointSet, QueryStats, DEFAULT_POINTS_PER_CELL};

use geo::{MultiPolygon, Polygon};

use crate::{Area, BBox, GeoError};
use rings::Rings;

/// Where a point is relative to an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Location {
    Outside,
    /// Exactly on an edge or vertex of a polygon (holes included), or exactly
    /// at the radius of a circle.
    Boundary,
    Inside,
}

/// Which points an area targets; see the [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Predicate {
    /// Interior and boundary: PostGIS `ST_Covers`. The default.
    #[default]
    Covers,
    /// Interior only: PostGIS `ST_Contains`.
    Contains,
}

impl Predicate {
    /// Whether a point at `loc` is targeted.
    #[inline]
    pub fn accepts(self, loc: Location) -> bool {
        match self {
            Predicate::Covers => loc != Location::Outside,
            Predicate::Contains => loc == Location::Inside,
        }
    }
}

/// A circle on the sphere: centre lon/lat (degrees) and radius (metres).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Circle {
    pub lon: f64,
    pub lat: f64,
    pub radius_m: f64,
}

impl Circle {
    /// Where the point is: great-circle distance compared with the radius.
    #[inline]
    pub fn locate(&self, lon: f64, lat: f64) -> Location {
        let d = crate::haversine_m(self.lon, self.lat, lon, lat);
        if d < self.radius_m {
            Location::Inside
        } else if d == self.radius_m {
            Location::Boundary
        } else {
            Location::Outside
        }
    }

    /// The bounding box (as [`Area::bbox`] for a circle).
    pub fn bbox(&self) -> BBox {
        Area::Circle {
            lon: self.lon,
            lat: self.lat,
            radius_m: self.radius_m,
        }
        .bbox()
    }
}

/// A warning's target area: a union of polygons and circles, prepared for
/// fast exact point tests. See the [module docs](self) for the semantics.
///
/// ```
/// use yingji_geo::target::{PointSet, Predicate, TargetArea};
///
/// let square = yingji_geo::geojson::parse_multipolygon(
///     r#"{"type":"Polygon","coordinates":[[[113,40],[113.1,40],[113.1,40.1],[113,40.1],[113,40]]]}"#,
/// )?;
/// let mut area = TargetArea::new();
/// area.add_multipolygon(&square)?;
/// area.add_circle(113.3, 40.05, 2_000.0)?;
/// assert!(area.contains(113.05, 40.05));
/// assert!(area.contains(113.0, 40.05), "the boundary is targeted by default");
/// assert!(area.contains(113.3, 40.06));
/// assert!(!area.contains(113.2, 40.05));
///
/// let people = PointSet::new(vec![(1, 113.05, 40.05), (2, 113.2, 40.05), (3, 113.0, 40.0)]);
/// let mut ids = people.ids_in(&area);
/// ids.sort();
/// assert_eq!(ids, vec![1, 3]);
/// let strict = area.clone().with_predicate(Predicate::Contains);
/// assert_eq!(people.ids_in(&strict), vec![1], "a corner is not interior");
/// # Ok::<(), yingji_geo::GeoError>(())
/// ```
#[derive(Debug, Clone)]
pub struct TargetArea {
    polygons: Vec<Rings>,
    /// The multipolygons as given (for polygon–polygon intersection).
    sources: Vec<MultiPolygon<f64>>,
    circles: Vec<Circle>,
    bbox: BBox,
    predicate: Predicate,
}

impl Default for TargetArea {
    fn default() -> Self {
        TargetArea {
            polygons: Vec::new(),
            sources: Vec::new(),
            circles: Vec::new(),
            bbox: BBox::EMPTY,
            predicate: Predicate::Covers,
        }
    }
}

fn union_bbox(a: BBox, b: BBox) -> BBox {
    if b.is_empty() {
        return a;
    }
    if a.is_empty() {
        return b;
    }
    BBox {
        min_lon: a.min_lon.min(b.min_lon),
        min_lat: a.min_lat.min(b.min_lat),
        max_lon: a.max_lon.max(b.max_lon),
        max_lat: a.max_lat.max(b.max_lat),
    }
}

impl TargetArea {
    /// An empty area (targets nothing) with [`Predicate::Covers`].
    pub fn new() -> TargetArea {
        TargetArea::default()
    }

    /// The same area with another predicate.
    pub fn with_predicate(mut self, predicate: Predicate) -> TargetArea {
        self.predicate = predicate;
        self
    }

    /// An area of one multipolygon.
    pub fn from_multipolygon(mp: &MultiPolygon<f64>) -> Result<TargetArea, GeoError> {
        let mut a = TargetArea::new();
        a.add_multipolygon(mp)?;
        Ok(a)
    }

    /// An area of one circle.
    pub fn from_circle(lon: f64, lat: f64, radius_m: f64) -> Result<TargetArea, GeoError> {
        let mut a = TargetArea::new();
        a.add_circle(lon, lat, radius_m)?;
        Ok(a)
    }

    /// The union of the given areas.
    pub fn from_areas<'a>(
        areas: impl IntoIterator<Item = &'a Area>,
    ) -> Result<TargetArea, GeoError> {
        let mut a = TargetArea::new();
        for area in areas {
            a.add_area(area)?;
        }
        Ok(a)
    }

    /// Add a multipolygon to the union. Every coordinate must be finite
    /// ([`GeoError::BadCoordinate`] otherwise; nothing is added then).
    /// Validity (no self-intersection, holes inside) is not checked here:
    /// see [`validate_polygon`](crate::validate_polygon). An invalid polygon
    /// is still classified deterministically (even-odd rule per member).
    pub fn add_multipolygon(&mut self, mp: &MultiPolygon<f64>) -> Result<&mut Self, GeoError> {
        for (pi, poly) in mp.0.iter().enumerate() {
            for (ri, ring) in std::iter::once(poly.exterior())
                .chain(poly.interiors())
                .enumerate()
            {
                for (i, c) in ring.0.iter().enumerate() {
                    if !(c.x.is_finite() && c.y.is_finite()) {
                        return Err(GeoError::BadCoordinate {
                            polygon: pi,
                            ring: ri,
                            index: i,
                            lon: c.x,
                            lat: c.y,
                        });
                    }
                }
            }
        }
        let rings = Rings::new(mp);
        self.bbox = union_bbox(self.bbox, rings.bbox());
        self.polygons.push(rings);
        self.sources.push(mp.clone());
        Ok(self)
    }

    /// Add one polygon to the union (as [`add_multipolygon`](Self::add_multipolygon)).
    pub fn add_polygon(&mut self, p: &Polygon<f64>) -> Result<&mut Self, GeoError> {
        self.add_multipolygon(&MultiPolygon::new(vec![p.clone()]))
    }

    /// Add a circle: centre lon/lat in degrees (within ±180 / ±90), radius in
    /// metres (finite, ≥ 0; a zero radius targets the centre point only).
    pub fn add_circle(&mut self, lon: f64, lat: f64, radius_m: f64) -> Result<&mut Self, GeoError> {
        if !(lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= 90.0) {
            return Err(GeoError::Invalid {
                path: "circle".into(),
                message: format!("centre ({lon}, {lat}) is not a valid longitude/latitude"),
            });
        }
        if !(radius_m.is_finite() && radius_m >= 0.0) {
            return Err(GeoError::Invalid {
                path: "circle".into(),
                message: format!("radius must be a finite number of metres ≥ 0, got {radius_m}"),
            });
        }
        let c = Circle { lon, lat, radius_m };
        self.bbox = union_bbox(self.bbox, c.bbox());
        self.circles.push(c);
        Ok(self)
    }

    /// Add an [`Area`] (multipolygon or circle) to the union.
    pub fn add_area(&mut self, a: &Area) -> Result<&mut Self, GeoError> {
        match a {
            Area::MultiPolygon(mp) => self.add_multipolygon(mp),
            Area::Circle { lon, lat, radius_m } => self.add_circle(*lon, *lat, *radius_m),
        }
    }

    /// The predicate in force.
    pub fn predicate(&self) -> Predicate {
        self.predicate
    }

    /// Whether the area has no member (it then targets nothing).
    pub fn is_empty(&self) -> bool {
        self.polygons.is_empty() && self.circles.is_empty()
    }

    /// The circles of the union.
    pub fn circles(&self) -> &[Circle] {
        &self.circles
    }

    /// The number of polygon members (multipolygons added).
    pub fn polygon_count(&self) -> usize {
        self.polygons.len()
    }

    /// The bounding box of the union ([`BBox::EMPTY`] when empty). Every
    /// targeted point is inside it (circle boxes carry a hair of slack).
    pub fn bbox(&self) -> BBox {
        self.bbox
    }

    /// Exact location of a point relative to the union (NaN is `Outside`).
    #[inline]
    pub fn locate(&self, lon: f64, lat: f64) -> Location {
        if !self.bbox.contains(lon, lat) {
            return Location::Outside;
        }
        let mut best = Location::Outside;
        for r in &self.polygons {
            match r.locate(lon, lat) {
                Location::Inside => return Location::Inside,
                Location::Boundary => best = Location::Boundary,
                Location::Outside => {}
            }
        }
        for c in &self.circles {
            match c.locate(lon, lat) {
                Location::Inside => return Location::Inside,
                Location::Boundary => best = Location::Boundary,
                Location::Outside => {}
            }
        }
        best
    }

    /// Whether the point is targeted under the area's predicate (by default
    /// boundary included, as `ST_Covers`).
    #[inline]
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        self.predicate.accepts(self.locate(lon, lat))
    }

    /// The items whose point is targeted, in input order; for example the
    /// villages whose representative point (centroid, village committee
    /// location) is in the area. For many items use [`Divisions`].
    pub fn filter_points<'a, C>(&self, items: &'a [(C, f64, f64)]) -> Vec<&'a C> {
        items
            .iter()
            .filter(|(_, lon, lat)| self.contains(*lon, *lat))
            .map(|(c, _, _)| c)
            .collect()
    }

    /// Whether the area and `mp` share at least one point (boundaries
    /// included): "the division touches the warning area", for divisions
    /// that have boundaries (counties). Polygon members are tested exactly
    /// (geo's robust `Intersects`). For a circle, the polygon touches it if
    /// it covers the centre or one of its edges comes within the radius; the
    /// nearest point of each edge near the circle is found by golden-section
    /// search along the edge (exact to far below a millimetre for edges of
    /// division boundaries, which are short enough for the distance along
    /// them to have a single minimum). Non-finite coordinates never touch.
    pub fn intersects_multipolygon(&self, mp: &MultiPolygon<f64>) -> bool {
        use geo::{BoundingRect, Intersects};
        let finite = mp.0.iter().all(|p| {
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .all(|r| r.0.iter().all(|c| c.x.is_finite() && c.y.is_finite()))
        });
        let Some(r) = mp.bounding_rect().filter(|_| finite) else {
            return false;
        };
        let mb = BBox {
            min_lon: r.min().x,
            min_lat: r.min().y,
            max_lon: r.max().x,
            max_lat: r.max().y,
        };
        if !self.bbox.intersects(&mb) {
            return false;
        }
        if self
            .polygons
            .iter()
            .zip(&self.sources)
            .any(|(r, s)| r.bbox().intersects(&mb) && s.intersects(mp))
        {
            return true;
        }
        if self.circles.is_empty() {
            return false;
        }
        let rings = Rings::new(mp);
        self.circles.iter().any(|c| {
            if !c.bbox().intersects(&mb) {
                return false;
            }
            if rings.locate(c.lon, c.lat) != Location::Outside {
                return true;
            }
            let cb = c.bbox();
            rings.edges().iter().any(|e| {
                let eb = BBox::from_points([(e.a.x, e.a.y), (e.b.x, e.b.y)]);
                eb.intersects(&cb) && edge_distance_m(c, e.a, e.b) <= c.radius_m
            })
        })
    }

    /// The items whose boundary touches the area (see
    /// [`intersects_multipolygon`](Self::intersects_multipolygon)), in input
    /// order: for example the counties a warning area reaches.
    pub fn touched<'a, C>(&self, divisions: &'a [(C, MultiPolygon<f64>)]) -> Vec<&'a C> {
        divisions
            .iter()
            .filter(|(_, mp)| self.intersects_multipolygon(mp))
            .map(|(c, _)| c)
            .collect()
    }

    pub(crate) fn rings(&self) -> &[Rings] {
        &self.polygons
    }
}

/// Great-circle distance (metres) from the circle's centre to the nearest
/// point of the lon/lat-straight segment `a`–`b`: golden-section search on
/// the segment parameter (the distance along a short segment is unimodal).
fn edge_distance_m(c: &Circle, a: geo::Coord<f64>, b: geo::Coord<f64>) -> f64 {
    let at = |t: f64| {
        let (x, y) = (a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
        crate::haversine_m(c.lon, c.lat, x, y)
    };
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    let (mut x1, mut x2) = (hi - g * (hi - lo), lo + g * (hi - lo));
    let (mut f1, mut f2) = (at(x1), at(x2));
    for _ in 0..80 {
        if f1 <= f2 {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - g * (hi - lo);
            f1 = at(x1);
        } else {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + g * (hi - lo);
            f2 = at(x2);
        }
    }
    f1.min(f2).min(at(0.0)).min(at(1.0))
}

impl TryFrom<&Area> for TargetArea {
    type Error = GeoError;
    fn try_from(a: &Area) -> Result<Self, GeoError> {
        TargetArea::from_areas([a])
    }
}
