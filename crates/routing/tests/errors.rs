//! Bad input gives clear errors, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use yingji_routing::*;

fn pbf() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/osm/liechtenstein-2024-03-04.osm.pbf")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("yjroute-errors-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// Length of the first blob (OSMHeader) of a PBF: 4-byte size, BlobHeader, blob.
fn first_blob_len(b: &[u8]) -> usize {
    let hl = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let h = &b[4..4 + hl];
    // BlobHeader: field 3 (datasize) is a varint with tag 0x18
    let mut i = 0;
    while i < h.len() {
        let tag = h[i];
        i += 1;
        match tag & 7 {
            0 => {
                let mut v = 0usize;
                let mut s = 0;
                loop {
                    let x = h[i];
                    i += 1;
                    v |= ((x & 0x7f) as usize) << s;
                    s += 7;
                    if x & 0x80 == 0 {
                        break;
                    }
                }
                if tag >> 3 == 3 {
                    return 4 + hl + v;
                }
            }
            2 => {
                let l = h[i] as usize;
                i += 1 + l;
            }
            _ => panic!("unexpected wire type"),
        }
    }
    panic!("no datasize")
}

#[test]
fn osm_import_errors() {
    let p = Profile::driving();
    let e = Graph::from_osm_pbf(tmp("missing.osm.pbf"), &p, |_| {}).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e}");

    let text = tmp("text.osm.pbf");
    std::fs::write(&text, "<?xml version='1.0'?><osm></osm>\n".repeat(100)).unwrap();
    let e = Graph::from_osm_pbf(&text, &p, |_| {}).unwrap_err();
    assert!(matches!(e, Error::OsmPbf { .. }), "{e}");

    let empty = tmp("empty.osm.pbf");
    std::fs::write(&empty, b"").unwrap();
    let e = Graph::from_osm_pbf(&empty, &p, |_| {}).unwrap_err();
    assert!(matches!(e, Error::OsmPbf { .. }), "{e}");

    let src = pbf();
    assert!(
        src.exists(),
        "the OSM extract is missing: {}",
        src.display()
    );
    let bytes = std::fs::read(&src).unwrap();
    for cut in [3, 50, 1000, 100_000, bytes.len() / 2 + 7] {
        let t = tmp("trunc.osm.pbf");
        std::fs::write(&t, &bytes[..cut]).unwrap();
        let r = Graph::from_osm_pbf(&t, &p, |_| {});
        assert!(
            matches!(
                r,
                Err(Error::OsmPbf { .. }) | Err(Error::EmptyExtract { .. })
            ),
            "cut {cut}: {r:?}"
        );
    }
    // header block only: a valid PBF without any data
    let hdr = tmp("header-only.osm.pbf");
    std::fs::write(&hdr, &bytes[..first_blob_len(&bytes)]).unwrap();
    let e = Graph::from_osm_pbf(&hdr, &p, |_| {}).unwrap_err();
    assert!(matches!(e, Error::EmptyExtract { .. }), "{e}");
    assert!(e.to_string().contains("no routable roads"));
    // a profile that allows nothing that exists
    let mut odd = Profile::driving();
    odd.speeds_kmh = [("no_such_highway".to_string(), 10.0)]
        .into_iter()
        .collect();
    odd.explicit_access_speeds_kmh.clear();
    odd.ferry_speed_kmh = None;
    let e = Graph::from_osm_pbf(&src, &odd, |_| {}).unwrap_err();
    assert!(matches!(e, Error::EmptyExtract { .. }), "{e}");
    // invalid profile
    let mut bad = Profile::driving();
    bad.speeds_kmh.insert("primary".into(), -1.0);
    assert!(matches!(
        Graph::from_osm_pbf(&src, &bad, |_| {}),
        Err(Error::InvalidArgument(_))
    ));
}

/// The in-memory import is the file import: same graph, same errors (named
/// `<reader>`), never a panic on a damaged copy.
#[test]
fn osm_import_from_a_reader() {
    let p = Profile::driving();
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/datong/roads/datong-highways-coarse.osm.pbf");
    let bytes = std::fs::read(&src).unwrap();
    let from_file = Graph::from_osm_pbf(&src, &p, |_| {}).unwrap();
    let mut stages = Vec::new();
    let from_bytes =
        Graph::from_osm_pbf_reader(std::io::Cursor::new(&bytes), &p, |pr| stages.push(pr.stage))
            .unwrap();
    assert!(from_file.num_edges() > 0);
    assert_eq!(from_bytes, from_file);
    assert!(stages.contains(&Stage::ReadWays) && stages.contains(&Stage::ReadNodes));

    let e = Graph::from_osm_pbf_reader(std::io::Cursor::new(b"not a pbf"), &p, |_| {}).unwrap_err();
    assert!(matches!(e, Error::OsmPbf { .. }), "{e}");
    assert!(e.to_string().starts_with("<reader>: "), "{e}");
    for cut in [0, 3, 50, 1000, bytes.len() / 2 + 7, bytes.len() - 1] {
        let r = Graph::from_osm_pbf_reader(std::io::Cursor::new(&bytes[..cut]), &p, |_| {});
        assert!(
            matches!(
                r,
                Err(Error::OsmPbf { .. }) | Err(Error::EmptyExtract { .. })
            ),
            "cut {cut}: {r:?}"
        );
    }
}

#[test]
fn graph_file_errors() {
    let g = synthetic::road_grid(400, 1);
    let ch = Ch::build(&g, |_| {});
    let bytes = ch.to_bytes();
    let p = std::path::Path::new("x");
    assert!(Ch::from_bytes(&bytes, p).is_ok());
    assert!(matches!(
        Ch::from_bytes(b"", p),
        Err(Error::NotAGraphFile { .. })
    ));
    assert!(matches!(
        Ch::from_bytes(b"PK\x03\x04 zip file", p),
        Err(Error::NotAGraphFile { .. })
    ));
    // every single-byte flip and every truncation point is detected (sampled)
    for i in (0..bytes.len()).step_by(bytes.len() / 300 + 1) {
        let mut b = bytes.clone();
        b[i] ^= 0x01;
        assert!(Ch::from_bytes(&b, p).is_err(), "flip at {i}");
        assert!(Ch::from_bytes(&bytes[..i], p).is_err(), "cut at {i}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(
        Ch::from_bytes(&longer, p),
        Err(Error::Corrupt { .. })
    ));
}

#[test]
fn query_argument_errors() {
    let g = synthetic::road_grid(400, 2);
    let ch = Ch::build(&g, |_| {});
    let r = ch.router();
    let a = ch.node_location(0).unwrap();
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, MAX_TIME_LIMIT_S * 2.0] {
        assert!(matches!(
            r.isochrone(&[a], bad),
            Err(Error::InvalidTimeLimit(_))
        ));
        assert!(matches!(
            r.matrix_within(&[a], &[a], bad),
            Err(Error::InvalidTimeLimit(_))
        ));
        let params = CoverageParams {
            limit_s: bad,
            ..Default::default()
        };
        assert!(matches!(
            r.coverage(&[], &[], &params),
            Err(Error::InvalidTimeLimit(_))
        ));
    }
    let e = r.snap(0.0, 0.0).unwrap_err();
    assert!(e.to_string().contains("no routable road within"), "{e}");
    assert!(matches!(
        r.snap_within(116.4, 39.9, -1.0),
        Err(Error::InvalidArgument(_))
    ));
    // stations off the road network are an error; demand off-road is reported
    let params = CoverageParams::default();
    assert!(r.coverage(&[[0.0, 0.0]], &[], &params).is_err());
    let d = [DemandPoint {
        lon: 0.0,
        lat: 0.0,
        population: 5.0,
    }];
    let rep = r.coverage(&[[116.41, 39.91]], &d, &params).unwrap();
    assert_eq!(rep.off_road, vec![0]);
    let d = [DemandPoint {
        lon: 116.41,
        lat: 39.91,
        population: f64::NAN,
    }];
    assert!(r.coverage(&[[116.41, 39.91]], &d, &params).is_err());
    // closures for another graph
    let other = Ch::build(&synthetic::road_grid(100, 3), |_| {});
    let mut c = Closures::new(&other);
    assert!(c.close_way(&ch, 1).is_err());
    assert!(c.close_bbox(&other, 1.0, 1.0, 0.0, 0.0).is_err());
    assert!(c.close_edges(&other, &[u32::MAX]).is_err());
}
