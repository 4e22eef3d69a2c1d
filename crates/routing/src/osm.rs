//! OpenStreetMap PBF import (two passes: routable ways, then the coordinates
//! of their nodes; blobs are decoded in parallel batches, results are
//! processed in file order so the graph is deterministic).

use crate::graph::{distance_m, RawEdge, Restriction, MAX_EDGE_MS};
use crate::profile::Barrier;
use crate::{Error, Graph, Profile, Progress, Result, Stage};
use osmpbf::{BlobDecode, BlobReader};
use rayon::prelude::*;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Blob-level features this reader understands.
const KNOWN_FEATURES: &[&str] = &["OsmSchema-V0.6", "DenseNodes", "HistoricalInformation"];
const BATCH: usize = 16;

struct WayRec {
    id: i64,
    refs: Vec<i64>,
    fwd_kmh: Option<f64>,
    bwd_kmh: Option<f64>,
    /// A ferry's tagged duration, spread over its segments by length.
    duration_s: Option<f64>,
    /// Open to local traffic only ([`Profile::local_access`]).
    local: bool,
}

/// An OSM node given in memory (see [`Graph::from_osm_elements`]).
#[derive(Debug, Clone, PartialEq)]
pub struct OsmNode {
    pub id: i64,
    pub lon: f64,
    pub lat: f64,
    pub tags: Vec<(String, String)>,
}

/// An OSM relation given in memory (see [`Graph::from_osm_elements_with_relations`]):
/// members as (type, id, role).
#[derive(Debug, Clone, PartialEq)]
pub struct OsmRelation {
    pub id: i64,
    pub members: Vec<(OsmMemberType, i64, String)>,
    pub tags: Vec<(String, String)>,
}

/// Type of a relation member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OsmMemberType {
    Node,
    Way,
    Relation,
}

/// A turn restriction as read (OSM ids), before it is tied to the graph.
#[derive(Debug, Clone, PartialEq)]
struct RestrictionRec {
    from: Vec<i64>,
    via: i64,
    to: Vec<i64>,
    only: bool,
}

/// The profile's decision on a relation: `None` unless it is a restriction
/// binding the profile with one via node, at least one `from` and one `to`
/// way (an `only_*` needs exactly one of each). Restrictions over a via
/// *way* are not modelled.
fn restriction_rec<'a>(
    profile: &Profile,
    tags: &[(&'a str, &'a str)],
    members: impl Iterator<Item = (OsmMemberType, i64, &'a str)>,
) -> Option<RestrictionRec> {
    let only =
        profile.restriction(|k: &str| tags.iter().find(|(t, _)| *t == k).map(|(_, v)| *v))?;
    let (mut from, mut to, mut via) = (Vec::new(), Vec::new(), Vec::new());
    for (ty, id, role) in members {
        match (ty, role) {
            (OsmMemberType::Way, "from") => from.push(id),
            (OsmMemberType::Way, "to") => to.push(id),
            (OsmMemberType::Node, "via") => via.push(id),
            (OsmMemberType::Way, "via") => return None,
            _ => {}
        }
    }
    if via.len() != 1 || from.is_empty() || to.is_empty() {
        return None;
    }
    if only && (from.len() != 1 || to.len() != 1) {
        return None;
    }
    Some(RestrictionRec {
        from,
        via: via[0],
        to,
        only,
    })
}

/// An OSM way given in memory (see [`Graph::from_osm_elements`]).
#[derive(Debug, Clone, PartialEq)]
pub struct OsmWay {
    pub id: i64,
    pub refs: Vec<i64>,
    pub tags: Vec<(String, String)>,
}

/// Owned tags as borrowed pairs, the form the profile reads.
fn str_tags(tags: &[(String, String)]) -> Vec<(&str, &str)> {
    tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The profile's decision on one way's tags.
fn way_rec(profile: &Profile, id: i64, refs: Vec<i64>, tags: &[(&str, &str)]) -> Option<WayRec> {
    let get = |k: &str| tags.iter().find(|(t, _)| *t == k).map(|(_, v)| *v);
    if refs.len() < 2 {
        return None;
    }
    if let Some(s) = profile.way_speeds(get) {
        return Some(WayRec {
            id,
            refs,
            fwd_kmh: s.forward,
            bwd_kmh: s.backward,
            duration_s: None,
            local: profile.local_only(get),
        });
    }
    let f = profile.ferry(get)?;
    Some(WayRec {
        id,
        refs,
        fwd_kmh: Some(f.speed_kmh),
        bwd_kmh: (!f.oneway).then_some(f.speed_kmh),
        duration_s: f.duration_s,
        local: false,
    })
}

/// The profile's decision on one node's tags: its barrier, and whether it
/// is a traffic signal (`highway=traffic_signals`).
fn node_rec(profile: &Profile, tags: &[(&str, &str)]) -> (Barrier, bool) {
    let signal = tags
        .iter()
        .any(|&(k, v)| k == "highway" && v == "traffic_signals");
    if !tags.iter().any(|(k, _)| *k == "barrier") {
        return (Barrier::Open, signal);
    }
    let b = profile.barrier(|k: &str| tags.iter().find(|(t, _)| *t == k).map(|(_, v)| *v));
    (b, signal)
}

/// Reads all blobs of `source` from its start, decoding `BATCH` at a time in
/// parallel, and hands each decoded data block's result (`per_block`) to
/// `sink` in order. `path` names the source in errors.
fn scan<T: Send, R: Read + Seek + Send>(
    source: &mut R,
    path: &Path,
    stage: Stage,
    progress: &mut dyn FnMut(Progress),
    per_block: impl Fn(&osmpbf::PrimitiveBlock) -> T + Sync,
    mut sink: impl FnMut(T),
) -> Result<()> {
    let pbf_err = |e: osmpbf::Error| Error::OsmPbf {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let total = source
        .seek(SeekFrom::End(0))
        .and_then(|len| source.seek(SeekFrom::Start(0)).map(|_| len))
        .map_err(|e| Error::io(path, e))?;
    let count = Arc::new(AtomicU64::new(0));
    let reader = BlobReader::new(BufReader::with_capacity(
        1 << 16,
        Counting {
            inner: &mut *source,
            count: count.clone(),
        },
    ));
    let mut seen_header = false;
    let mut blobs = reader.peekable();
    progress(Progress {
        stage,
        done: 0,
        total,
    });
    loop {
        let mut batch = Vec::with_capacity(BATCH);
        for blob in blobs.by_ref().take(BATCH) {
            batch.push(blob.map_err(pbf_err)?);
        }
        if batch.is_empty() {
            break;
        }
        let decoded: Vec<std::result::Result<Option<T>, String>> = batch
            .par_iter()
            .map(|blob| match blob.decode() {
                Ok(BlobDecode::OsmHeader(h)) => {
                    for f in h.required_features() {
                        if !KNOWN_FEATURES.contains(&f.as_str()) {
                            return Err(format!("unsupported required feature {f:?}"));
                        }
                    }
                    Ok(None)
                }
                Ok(BlobDecode::OsmData(block)) => Ok(Some(per_block(&block))),
                Ok(BlobDecode::Unknown(t)) => Err(format!("unknown blob type {t:?}")),
                Err(e) => Err(e.to_string()),
            })
            .collect();
        for (i, d) in decoded.into_iter().enumerate() {
            let d = d.map_err(|message| Error::OsmPbf {
                path: path.to_path_buf(),
                message,
            })?;
            match d {
                None => seen_header = true,
                Some(t) => {
                    if !seen_header {
                        return Err(Error::OsmPbf {
                            path: path.to_path_buf(),
                            message: format!("data block {i} comes before the OSMHeader block"),
                        });
                    }
                    sink(t)
                }
            }
        }
        progress(Progress {
            stage,
            done: count.load(Ordering::Relaxed).min(total),
            total,
        });
    }
    if !seen_header {
        return Err(Error::OsmPbf {
            path: path.to_path_buf(),
            message: "no OSMHeader block (empty or not a PBF file)".into(),
        });
    }
    progress(Progress {
        stage,
        done: total,
        total,
    });
    Ok(())
}

impl Graph {
    /// Imports the driveable road network of an `.osm.pbf` extract with `profile`
    /// and keeps its largest strongly connected component.
    ///
    /// `progress` is called from this thread with stages
    /// [`Stage::ReadWays`], [`Stage::ReadNodes`] (bytes of the file) and
    /// [`Stage::BuildGraph`].
    ///
    /// Errors: unreadable file ([`Error::Io`]), not a PBF file / truncated /
    /// corrupt ([`Error::OsmPbf`]), no routable road ([`Error::EmptyExtract`]),
    /// invalid profile ([`Error::InvalidArgument`]).
    pub fn from_osm_pbf(
        path: impl AsRef<Path>,
        profile: &Profile,
        progress: impl FnMut(Progress),
    ) -> Result<Graph> {
        let path = path.as_ref();
        profile.validate()?;
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        Graph::import(&mut file, path, profile, progress)
    }

    /// [`Graph::from_osm_pbf`] from any seekable reader, such as an extract in
    /// memory (`std::io::Cursor::new(bytes)`). The PBF is read twice from its
    /// start; errors name the source `<reader>`.
    pub fn from_osm_pbf_reader(
        mut reader: impl Read + Seek + Send,
        profile: &Profile,
        progress: impl FnMut(Progress),
    ) -> Result<Graph> {
        Graph::import(&mut reader, Path::new("<reader>"), profile, progress)
    }

    /// The one import behind [`Graph::from_osm_pbf`] and
    /// [`Graph::from_osm_pbf_reader`]; `path` names the source in errors.
    fn import<R: Read + Seek + Send>(
        source: &mut R,
        path: &Path,
        profile: &Profile,
        mut progress: impl FnMut(Progress),
    ) -> Result<Graph> {
        profile.validate()?;
        let progress: &mut dyn FnMut(Progress) = &mut progress;

        // Pass 1: routable ways and turn restrictions.
        let mut ways: Vec<WayRec> = Vec::new();
        let mut restrictions: Vec<RestrictionRec> = Vec::new();
        scan(
            source,
            path,
            Stage::ReadWays,
            progress,
            |block| {
                let mut out = Vec::new();
                let mut rels = Vec::new();
                let mut tags: Vec<(&str, &str)> = Vec::new();
                for group in block.groups() {
                    for rel in group.relations() {
                        tags.clear();
                        tags.extend(rel.tags());
                        let members = rel.members().map(|m| {
                            let ty = match m.member_type {
                                osmpbf::RelMemberType::Node => OsmMemberType::Node,
                                osmpbf::RelMemberType::Way => OsmMemberType::Way,
                                osmpbf::RelMemberType::Relation => OsmMemberType::Relation,
                            };
                            (ty, m.member_id, m.role().unwrap_or(""))
                        });
                        if let Some(r) = restriction_rec(profile, &tags, members) {
                            rels.push(r);
                        }
                    }
                    for way in group.ways() {
                        tags.clear();
                        tags.extend(way.tags());
                        let get = |k: &str| tags.iter().find(|(t, _)| *t == k).map(|(_, v)| *v);
                        if get("highway").is_some() || get("route").is_some() {
                            if let Some(w) = way_rec(profile, way.id(), way.refs().collect(), &tags)
                            {
                                out.push(w);
                            }
                        }
                    }
                }
                (out, rels)
            },
            |(mut w, mut r)| {
                ways.append(&mut w);
                restrictions.append(&mut r);
            },
        )?;
        let empty = || Error::EmptyExtract {
            path: path.to_path_buf(),
            profile: profile.name.clone(),
        };
        if ways.is_empty() {
            return Err(empty());
        }

        // Pass 2: coordinates of the nodes the ways use.
        let mut ids: Vec<i64> = ways.iter().flat_map(|w| w.refs.iter().copied()).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() >= u32::MAX as usize {
            return Err(Error::InvalidGraph("too many nodes".into()));
        }
        let mut lon = vec![f64::NAN; ids.len()];
        let mut lat = vec![f64::NAN; ids.len()];
        let mut barrier = vec![Barrier::Open; ids.len()];
        let mut signal = vec![false; ids.len()];
        let ids_ref = &ids;
        scan(
            source,
            path,
            Stage::ReadNodes,
            progress,
            |block| {
                let mut out: Vec<(u32, f64, f64, (Barrier, bool))> = Vec::new();
                let mut tags: Vec<(&str, &str)> = Vec::new();
                for group in block.groups() {
                    for n in group.dense_nodes() {
                        if let Ok(i) = ids_ref.binary_search(&n.id()) {
                            tags.clear();
                            tags.extend(n.tags());
                            let b = node_rec(profile, &tags);
                            out.push((i as u32, n.lon(), n.lat(), b));
                        }
                    }
                    for n in group.nodes() {
                        if let Ok(i) = ids_ref.binary_search(&n.id()) {
                            tags.clear();
                            tags.extend(n.tags());
                            let b = node_rec(profile, &tags);
                            out.push((i as u32, n.lon(), n.lat(), b));
                        }
                    }
                }
                out
            },
            |found| {
                for (i, x, y, (b, s)) in found {
                    if crate::graph::valid_coord(x, y) {
                        lon[i as usize] = x;
                        lat[i as usize] = y;
                        barrier[i as usize] = b;
                        signal[i as usize] = s;
                    }
                }
            },
        )?;
        let nodes = NodeInfo {
            ids,
            lon,
            lat,
            barrier,
            signal,
        };
        build(ways, restrictions, nodes, path, profile, progress)
    }

    /// Builds the graph from OSM nodes and ways held in memory, with the same
    /// rules as [`Graph::from_osm_pbf`] (ways and barrier nodes by `profile`,
    /// largest strongly connected component). Nodes missing for a way cut it
    /// there. Errors as for a PBF: [`Error::EmptyExtract`], [`Error::InvalidArgument`].
    pub fn from_osm_elements(
        nodes: &[OsmNode],
        ways: &[OsmWay],
        profile: &Profile,
    ) -> Result<Graph> {
        Graph::from_osm_elements_with_relations(nodes, ways, &[], profile)
    }

    /// [`Graph::from_osm_elements`] with relations (turn restrictions).
    pub fn from_osm_elements_with_relations(
        nodes: &[OsmNode],
        ways: &[OsmWay],
        relations: &[OsmRelation],
        profile: &Profile,
    ) -> Result<Graph> {
        profile.validate()?;
        let restrictions: Vec<RestrictionRec> = relations
            .iter()
            .filter_map(|r| {
                let tags = str_tags(&r.tags);
                let members = r
                    .members
                    .iter()
                    .map(|(t, id, role)| (*t, *id, role.as_str()));
                restriction_rec(profile, &tags, members)
            })
            .collect();
        let path = Path::new("<elements>");
        let recs: Vec<WayRec> = ways
            .iter()
            .filter_map(|w| {
                let tags = str_tags(&w.tags);
                way_rec(profile, w.id, w.refs.clone(), &tags)
            })
            .collect();
        if recs.is_empty() {
            return Err(Error::EmptyExtract {
                path: path.to_path_buf(),
                profile: profile.name.clone(),
            });
        }
        let mut ids: Vec<i64> = recs.iter().flat_map(|w| w.refs.iter().copied()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut lon = vec![f64::NAN; ids.len()];
        let mut lat = vec![f64::NAN; ids.len()];
        let mut barrier = vec![Barrier::Open; ids.len()];
        let mut signal = vec![false; ids.len()];
        for n in nodes {
            if let Ok(i) = ids.binary_search(&n.id) {
                if crate::graph::valid_coord(n.lon, n.lat) {
                    let tags = str_tags(&n.tags);
                    lon[i] = n.lon;
                    lat[i] = n.lat;
                    (barrier[i], signal[i]) = node_rec(profile, &tags);
                }
            }
        }
        let info = NodeInfo {
            ids,
            lon,
            lat,
            barrier,
            signal,
        };
        build(recs, restrictions, info, path, profile, &mut |_| {})
    }
}

/// The nodes the ways use (sorted OSM ids) and what was read about them.
struct NodeInfo {
    ids: Vec<i64>,
    lon: Vec<f64>,
    lat: Vec<f64>,
    barrier: Vec<Barrier>,
    signal: Vec<bool>,
}

/// Edges between consecutive way nodes that both have coordinates; a closed
/// barrier node is split into one dead end per segment that touches it (so
/// roads reach it from each side but nothing passes), a delaying barrier adds
/// its delay to every edge that enters it. Keeps the largest strongly
/// connected component.
fn build(
    ways: Vec<WayRec>,
    restrictions: Vec<RestrictionRec>,
    nodes: NodeInfo,
    path: &Path,
    profile: &Profile,
    progress: &mut dyn FnMut(Progress),
) -> Result<Graph> {
    let NodeInfo {
        ids,
        mut lon,
        mut lat,
        barrier,
        signal,
    } = nodes;
    let empty = || Error::EmptyExtract {
        path: path.to_path_buf(),
        profile: profile.name.clone(),
    };
    let total = ways.len() as u64;
    let split = |i: usize, lon: &mut Vec<f64>, lat: &mut Vec<f64>| -> usize {
        if barrier[i] != Barrier::Closed {
            return i;
        }
        lon.push(lon[i]);
        lat.push(lat[i]);
        lon.len() - 1
    };
    let delay = |i: usize| match barrier[i] {
        Barrier::Delay(ms) => ms,
        _ => 0,
    };
    let mut raw = Vec::new();
    for (wi, w) in ways.iter().enumerate() {
        if wi % 10_000 == 0 {
            progress(Progress {
                stage: Stage::BuildGraph,
                done: wi as u64,
                total,
            });
        }
        let segs: Vec<(usize, usize, f64)> = w
            .refs
            .windows(2)
            .filter_map(|pair| {
                let a = ids.binary_search(&pair[0]).ok()?;
                let b = ids.binary_search(&pair[1]).ok()?;
                if lon[a].is_nan() || lon[b].is_nan() || a == b {
                    return None;
                }
                Some((a, b, distance_m(lon[a], lat[a], lon[b], lat[b])))
            })
            .collect();
        // a ferry's duration is spread over its segments by length
        let total_m: f64 = segs.iter().map(|s| s.2).sum();
        for (a, b, d) in segs {
            let dist_dm = (d * 10.0).round().min(MAX_EDGE_MS as f64) as u32;
            let ms = |kmh: f64, into: usize| {
                let t = match w.duration_s {
                    Some(s) if total_m > 0.0 => s * 1000.0 * d / total_m,
                    _ => d / (kmh / 3.6) * 1000.0,
                };
                ((t + delay(into) as f64).round().min(MAX_EDGE_MS as f64) as u32).max(1)
            };
            let (sa, sb) = (split(a, &mut lon, &mut lat), split(b, &mut lon, &mut lat));
            if let Some(k) = w.fwd_kmh {
                raw.push(RawEdge {
                    from: sa as u32,
                    to: sb as u32,
                    time_ms: ms(k, b),
                    dist_dm,
                    way: w.id,
                });
            }
            if let Some(k) = w.bwd_kmh {
                raw.push(RawEdge {
                    from: sb as u32,
                    to: sa as u32,
                    time_ms: ms(k, a),
                    dist_dm,
                    way: w.id,
                });
            }
        }
    }
    let mut local_ways: Vec<i64> = ways.iter().filter(|w| w.local).map(|w| w.id).collect();
    local_ways.sort_unstable();
    local_ways.dedup();
    drop(ways);
    if raw.is_empty() {
        return Err(empty());
    }
    let mut full = Graph::from_raw(lon, lat, raw);
    // split barrier nodes (appended) are no signals
    full.signal[..signal.len()].copy_from_slice(&signal);
    full.local_ways = local_ways;
    full.restrictions = restrictions
        .iter()
        .filter_map(|r| {
            let via = ids.binary_search(&r.via).ok()?;
            Some(r.from.iter().flat_map(move |&f| {
                r.to.iter().map(move |&t| Restriction {
                    from_way: f,
                    via: via as u32,
                    to_way: t,
                    only: r.only,
                })
            }))
        })
        .flatten()
        .collect();
    full.turn_costs = profile.turns.clone();
    let g = full.largest_strongly_connected_component();
    if g.num_edges() == 0 {
        return Err(empty());
    }
    progress(Progress {
        stage: Stage::BuildGraph,
        done: total,
        total,
    });
    Ok(g)
}
