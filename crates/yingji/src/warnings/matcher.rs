//! A warning's area made exact for matching subscribers and records: the
//! one matcher of the targeting preview (`api.rs`) and the dissemination
//! planner (`jobs.rs`). Rules only: no web type.

use yingji_geo::TargetArea;

use super::model::Warning;
use super::TargetSpec;
use crate::auth::Scope;
use crate::divisions::Tree;
use crate::error::FieldError;

/// A warning's area made exact: drawn shapes (boundary included) and
/// chosen divisions (by code prefix), inside the issuer's jurisdiction.
pub struct Matcher {
    area: TargetArea,
    prefixes: Vec<String>,
}

impl Matcher {
    /// The area of `spec` inside `scope`, or every problem of it.
    pub fn new(tree: &Tree, scope: &Scope, spec: &TargetSpec) -> Result<Matcher, Vec<FieldError>> {
        let problems = spec.check();
        if !problems.is_empty() {
            return Err(problems);
        }
        let home = crate::divisions::Code::parse(&scope.prefix).ok();
        let shape = spec.shape_problems(|lon, lat| {
            home.as_ref().and_then(|c| tree.contains_point(c, lon, lat))
        });
        if !shape.is_empty() {
            return Err(shape);
        }
        let mut area = TargetArea::new();
        for (i, ring) in spec.closed_polygons().iter().enumerate() {
            let poly = geo::Polygon::new(
                geo::LineString::from(ring.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>()),
                vec![],
            );
            area.add_polygon(&poly).map_err(|e| {
                vec![
                    FieldError::new(format!("area.polygons[{i}]"), e.to_string())
                        .code("bad_polygon")
                        .param("error", e.to_string()),
                ]
            })?;
        }
        for (i, c) in spec.circles.iter().enumerate() {
            area.add_circle(c.lon, c.lat, c.radius_m).map_err(|e| {
                vec![FieldError::new(format!("area.circles[{i}]"), e.to_string())
                    .code("bad_circle")
                    .param("error", e.to_string())]
            })?;
        }
        let mut prefixes = Vec::new();
        for (i, d) in spec.divisions.iter().enumerate() {
            let code = crate::divisions::Code::parse(d)
                .ok()
                .filter(|c| tree.get(c).is_some())
                .ok_or_else(|| {
                    vec![FieldError::new(
                        format!("area.divisions[{i}]"),
                        format!("区划“{d}”不存在"),
                    )
                    .code("division_not_found")
                    .param("code", d.as_str())]
                })?;
            if !scope.covers(code.as_str(), "") {
                return Err(vec![FieldError::new(
                    format!("area.divisions[{i}]"),
                    "不在您的管辖范围内",
                )
                .code("out_of_jurisdiction")]);
            }
            prefixes.push(code.prefix().to_string());
        }
        Ok(Matcher { area, prefixes })
    }

    /// Whether a division (a township the area reaches) is reached by a
    /// drawn shape and not under one of the chosen divisions.
    pub fn drawn_not_chosen(&self, division: &str) -> bool {
        !self.area.is_empty()
            && !self
                .prefixes
                .iter()
                .any(|p| division.starts_with(p.as_str()))
    }

    pub fn contains(&self, division: &str, lon: f64, lat: f64) -> bool {
        self.prefixes
            .iter()
            .any(|p| division.starts_with(p.as_str()))
            || (!self.area.is_empty() && self.area.contains(lon, lat))
    }
}

/// The jurisdiction a warning is issued in (the planner reads its
/// subscribers there).
pub fn issuer_scope(w: &Warning) -> Scope {
    Scope {
        prefix: crate::divisions::Code::parse(&w.division)
            .map(|c| c.prefix().to_string())
            .unwrap_or_default(),
        org: None,
    }
}
