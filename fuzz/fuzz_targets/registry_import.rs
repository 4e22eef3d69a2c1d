//! Registry import (crates/yingji/src/registry): the parse-and-validate step
//! of a CSV/XLSX import (`registry::api::check_file`, everything an import
//! does before the database) on arbitrary bytes must give rows or field
//! errors, never a panic, hang or unbounded allocation.
//!
//! Input: the first byte picks the registry kind (low bits) and the importer
//! (high bit: enterprise user, else the city administrator); the rest is the
//! file (XLSX when it starts `PK\x03\x04`, else CSV in UTF-8 or GBK).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use yingji::auth::{Principal, Role, Scope};
use yingji::divisions::{Code, Division, Level, Tree};
use yingji::registry::{api::check_file, Dictionaries};

struct Setup {
    tree: Tree,
    dicts: Dictionaries,
    /// The webhook allow-list of the configuration (empty: public only).
    allow: yingji_channels::AllowList,
}

/// A small division tree (Datong city, two counties with square boundaries)
/// and the default dictionaries, as the import handler gets them.
fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let code = |c: &str| Code::parse(c).expect("code").to_string();
        let d = |c: &str, name: &str, level: Level, parent: Option<&str>| Division {
            code: code(c),
            name: name.into(),
            level,
            parent: parent.map(code),
        };
        let square = |x0: f64, y0: f64| {
            geo::MultiPolygon::new(vec![geo::Polygon::new(
                geo::LineString::from(vec![
                    (x0, y0),
                    (x0 + 0.2, y0),
                    (x0 + 0.2, y0 + 0.2),
                    (x0, y0 + 0.2),
                    (x0, y0),
                ]),
                vec![],
            )])
        };
        let tree = Tree::new(
            vec![
                d("14", "山西省", Level::Province, None),
                d("1402", "大同市", Level::City, Some("14")),
                d("140213", "平城区", Level::County, Some("1402")),
                d("140215", "云州区", Level::County, Some("1402")),
            ],
            vec![
                (Code::parse("140213").expect("code"), square(113.2, 40.0)),
                (Code::parse("140215").expect("code"), square(113.5, 40.0)),
            ],
        );
        let dicts = yingji::resources::default_dictionaries()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        Setup {
            tree,
            dicts,
            allow: Default::default(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, file)) = data.split_first() else {
        return;
    };
    let s = setup();
    let kinds = yingji::resources::KINDS;
    let spec = kinds[(sel & 0x7f) as usize % kinds.len()];
    let enterprise = sel & 0x80 != 0;
    let p = Principal {
        user_id: 1,
        username: "fuzz".into(),
        display_name: "fuzz".into(),
        role: if enterprise { Role::Enterprise } else { Role::Admin },
        division: Code::parse("1402").expect("code"),
        org: if enterprise { "enterprise:7".into() } else { String::new() },
    };
    let scope = Scope {
        prefix: "1402".into(),
        org: enterprise.then(|| "enterprise:7".to_string()),
    };
    let _ = check_file(
        spec,
        &p,
        &scope,
        &s.tree,
        &s.dicts,
        &s.allow,
        "import.csv",
        file,
        &yingji::sheet::XlsxLimits::default(),
    );
});
