//! OpenStreetMap PBF import (two passes: routable ways, then the coordinates
//! of their nodes; blobs are decoded in parallel batches, results are
//! processed in file order so the graph is deterministic).

use crate::graph::{haversine_m, RawEdge, MAX_EDGE_MS};
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

        // Pass 1: routable ways.
        let mut ways: Vec<WayRec> = Vec::new();
        scan(
            source,
            path,
            Stage::ReadWays,
            progress,
            |block| {
                let mut out = Vec::new();
                let mut tags: Vec<(&str, &str)> = Vec::new();
                for group in block.groups() {
                    for way in group.ways() {
                        tags.clear();
                        tags.extend(way.tags());
                        let get = |k: &str| tags.iter().find(|(t, _)| *t == k).map(|(_, v)| *v);
                        if let Some(s) = profile.way_speeds(get) {
                            let refs: Vec<i64> = way.refs().collect();
                            if refs.len() >= 2 {
                                out.push(WayRec {
                                    id: way.id(),
                                    refs,
                                    fwd_kmh: s.forward,
                                    bwd_kmh: s.backward,
                                });
                            }
                        }
                    }
                }
                out
            },
            |mut w| ways.append(&mut w),
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
        let ids_ref = &ids;
        scan(
            source,
            path,
            Stage::ReadNodes,
            progress,
            |block| {
                let mut out: Vec<(u32, f64, f64)> = Vec::new();
                for group in block.groups() {
                    for n in group.dense_nodes() {
                        if let Ok(i) = ids_ref.binary_search(&n.id()) {
                            out.push((i as u32, n.lon(), n.lat()));
                        }
                    }
                    for n in group.nodes() {
                        if let Ok(i) = ids_ref.binary_search(&n.id()) {
                            out.push((i as u32, n.lon(), n.lat()));
                        }
                    }
                }
                out
            },
            |found| {
                for (i, x, y) in found {
                    if crate::graph::valid_coord(x, y) {
                        lon[i as usize] = x;
                        lat[i as usize] = y;
                    }
                }
            },
        )?;

        // Edges between consecutive way nodes that both have coordinates.
        let total = ways.len() as u64;
        let mut raw = Vec::new();
        for (wi, w) in ways.iter().enumerate() {
            if wi % 10_000 == 0 {
                progress(Progress {
                    stage: Stage::BuildGraph,
                    done: wi as u64,
                    total,
                });
            }
            for pair in w.refs.windows(2) {
                let (Ok(a), Ok(b)) = (ids.binary_search(&pair[0]), ids.binary_search(&pair[1]))
                else {
                    continue;
                };
                if lon[a].is_nan() || lon[b].is_nan() || a == b {
                    continue;
                }
                let d = haversine_m(lon[a], lat[a], lon[b], lat[b]);
                let dist_dm = (d * 10.0).round().min(MAX_EDGE_MS as f64) as u32;
                let ms = |kmh: f64| {
                    ((d / (kmh / 3.6) * 1000.0).round().min(MAX_EDGE_MS as f64) as u32).max(1)
                };
                if let Some(k) = w.fwd_kmh {
                    raw.push(RawEdge {
                        from: a as u32,
                        to: b as u32,
                        time_ms: ms(k),
                        dist_dm,
                        way: w.id,
                    });
                }
                if let Some(k) = w.bwd_kmh {
                    raw.push(RawEdge {
                        from: b as u32,
                        to: a as u32,
                        time_ms: ms(k),
                        dist_dm,
                        way: w.id,
                    });
                }
            }
        }
        drop(ways);
        if raw.is_empty() {
            return Err(empty());
        }
        let g = Graph::from_raw(lon, lat, raw).largest_strongly_connected_component();
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
}
