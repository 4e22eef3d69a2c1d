//! The graph file: one binary file holding the base graph and the hierarchy.
//!
//! Layout (all integers little-endian):
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `YJROUTE\0` |
//! | 4 | format version ([`FORMAT_VERSION`]) |
//! | 4 | CRC-32 of the payload |
//! | 8 | payload length |
//! | … | payload: counts `n, m, k, t` (nodes, base edges, hierarchy edges, turns), then node lon/lat (f64), base CSR `first_out`, `head`, `time_ms`, `dist_dm`, `way` (i64), turns CSR over base edges `first_out`, `head`, `time_ms`, `rank` (per chain), hierarchy `fwd_first`, `bwd_first` (per chain), edges (5 × u32) |
//!
//! Version 2 added the turns (the hierarchy is over the turn-aware graph of
//! [`crate::turns`]). Version 3 contracts chains of the turn graph
//! ([`crate::turns`]'s `Chains`, derived from the turns when loading, so
//! they are not stored) instead of single base edges: `rank` and the
//! hierarchy offsets are per chain and an original hierarchy edge refers to
//! an arc between chains. An older file is refused with
//! [`Error::VersionMismatch`] (rebuild it from the OSM extract).
//!
//! Loading reads the file in one go, checks magic, version, length and
//! checksum, then every index (node/edge ids in range, offsets monotone,
//! `rank` a permutation, shortcut halves stored at lower-ranked nodes), so a
//! damaged file gives [`Error::Corrupt`] and never a panic. Files are
//! written to a temporary name and renamed, so a crash never leaves half a file.

use crate::ch::{Ch, ChEdge, NONE};
use crate::contract::Hierarchy;
use crate::graph::{reverse_index, Graph};
use crate::profile::TurnCosts;
use crate::turns::{Chains, TurnGraph};
use crate::{Error, Result};
use std::path::Path;

/// Magic bytes at the start of a graph file.
pub const MAGIC: &[u8; 8] = b"YJROUTE\0";
/// Version of the file format written and read by this build.
pub const FORMAT_VERSION: u32 = 3;
const HEADER: usize = 24;

struct W(Vec<u8>);

impl W {
    fn u32s(&mut self, v: &[u32]) {
        for x in v {
            self.0.extend_from_slice(&x.to_le_bytes());
        }
    }
    fn f64s(&mut self, v: &[f64]) {
        for x in v {
            self.0.extend_from_slice(&x.to_le_bytes());
        }
    }
}

struct R<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> R<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let Some(end) = end else {
            return Err("payload ends early".into());
        };
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u64(&mut self) -> std::result::Result<u64, String> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes([
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
        ]))
    }
    fn u32s(&mut self, n: usize) -> std::result::Result<Vec<u32>, String> {
        let b = self.take(n.checked_mul(4).ok_or("size overflow")?)?;
        Ok(b.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
    fn f64s(&mut self, n: usize) -> std::result::Result<Vec<f64>, String> {
        let b = self.take(n.checked_mul(8).ok_or("size overflow")?)?;
        Ok(b.chunks_exact(8)
            .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect())
    }
    fn i64s(&mut self, n: usize) -> std::result::Result<Vec<i64>, String> {
        let b = self.take(n.checked_mul(8).ok_or("size overflow")?)?;
        Ok(b.chunks_exact(8)
            .map(|c| i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect())
    }
}

impl Ch {
    /// Serialises to bytes (header + payload), see the module docs.
    pub fn to_bytes(&self) -> Vec<u8> {
        let g = &self.graph;
        let (n, m, k) = (g.num_nodes(), g.num_edges(), self.edges.len());
        let t = self.turns.num_arcs();
        let mut w = W(Vec::with_capacity(
            HEADER + 32 + n * 20 + m * 36 + k * 20 + t * 8 + 32,
        ));
        w.0.extend_from_slice(&[0u8; HEADER]);
        for c in [n, m, k, t] {
            w.0.extend_from_slice(&(c as u64).to_le_bytes());
        }
        w.f64s(&g.lon);
        w.f64s(&g.lat);
        w.u32s(&g.first_out);
        w.u32s(&g.head);
        w.u32s(&g.time_ms);
        w.u32s(&g.dist_dm);
        for x in &g.way {
            w.0.extend_from_slice(&x.to_le_bytes());
        }
        w.u32s(&self.turns.first_out);
        w.u32s(&self.turns.head);
        w.u32s(&self.turns.time_ms);
        w.u32s(&self.rank);
        w.u32s(&self.fwd_first);
        w.u32s(&self.bwd_first);
        for e in &self.edges {
            w.u32s(&[e.other, e.time_ms, e.dist_dm, e.a, e.b]);
        }
        let crc = crc32fast::hash(&w.0[HEADER..]);
        let len = (w.0.len() - HEADER) as u64;
        let mut b = w.0;
        b[0..8].copy_from_slice(MAGIC);
        b[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        b[12..16].copy_from_slice(&crc.to_le_bytes());
        b[16..24].copy_from_slice(&len.to_le_bytes());
        b
    }

    /// Writes the graph file (atomically: temporary file, then rename).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let bytes = self.to_bytes();
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp);
        std::fs::write(&tmp, &bytes).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
    }

    /// Reads a graph file written by [`Ch::save`].
    ///
    /// Errors: [`Error::Io`], [`Error::NotAGraphFile`], [`Error::VersionMismatch`], [`Error::Corrupt`].
    pub fn load(path: impl AsRef<Path>) -> Result<Ch> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Ch::from_bytes(&bytes, path)
    }

    /// Parses the bytes of a graph file (`path` is only used in error messages).
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Ch> {
        let corrupt = |message: String| Error::Corrupt {
            path: path.to_path_buf(),
            message,
        };
        if bytes.len() < 8 || &bytes[0..8] != MAGIC {
            return Err(Error::NotAGraphFile {
                path: path.to_path_buf(),
            });
        }
        if bytes.len() < HEADER {
            return Err(corrupt("header truncated".into()));
        }
        let u32at =
            |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let version = u32at(8);
        if version != FORMAT_VERSION {
            return Err(Error::VersionMismatch {
                path: path.to_path_buf(),
                found: version,
                expected: FORMAT_VERSION,
            });
        }
        let crc = u32at(12);
        let len = u64::from_le_bytes([
            bytes[16], bytes[17], bytes[18], bytes[19], bytes[20], bytes[21], bytes[22], bytes[23],
        ]);
        let payload = &bytes[HEADER..];
        if payload.len() as u64 != len {
            return Err(corrupt(format!(
                "payload is {} bytes, header says {len} (truncated or padded file)",
                payload.len()
            )));
        }
        if crc32fast::hash(payload) != crc {
            return Err(corrupt("checksum mismatch".into()));
        }
        parse(payload).map_err(corrupt)
    }
}

fn check_offsets(first: &[u32], end: u64, what: &str) -> std::result::Result<(), String> {
    if first.first() != Some(&0) && !first.is_empty() {
        return Err(format!("{what} does not start at 0"));
    }
    if first.windows(2).any(|w| w[0] > w[1]) {
        return Err(format!("{what} not monotone"));
    }
    if first.last().map(|&x| x as u64) != Some(end) {
        return Err(format!("{what} does not end at {end}"));
    }
    Ok(())
}

fn parse(p: &[u8]) -> std::result::Result<Ch, String> {
    let mut r = R { buf: p, pos: 0 };
    let n = r.u64()?;
    let m = r.u64()?;
    let k = r.u64()?;
    let t = r.u64()?;
    // sizes must fit the payload before allocating anything
    let need = n
        .checked_mul(20)
        .and_then(|x| x.checked_add(m.checked_mul(24)?))
        .and_then(|x| x.checked_add(k.checked_mul(20)?))
        .and_then(|x| x.checked_add(t.checked_mul(8)?))
        .ok_or("sizes overflow")?;
    if need > p.len() as u64 || [n, m, k, t].iter().any(|&c| c >= u32::MAX as u64) {
        return Err("counts do not match the payload size".into());
    }
    let (n, m, k, t) = (n as usize, m as usize, k as usize, t as usize);
    let lon = r.f64s(n)?;
    let lat = r.f64s(n)?;
    let first_out = r.u32s(n + 1)?;
    let head = r.u32s(m)?;
    let time_ms = r.u32s(m)?;
    let dist_dm = r.u32s(m)?;
    let way = r.i64s(m)?;
    let turns = TurnGraph {
        first_out: r.u32s(m + 1)?,
        head: r.u32s(t)?,
        time_ms: r.u32s(t)?,
    };
    // the hierarchy's nodes are the chains of the turns: their count is
    // known once the turns are checked
    if lon
        .iter()
        .zip(&lat)
        .any(|(&x, &y)| !crate::graph::valid_coord(x, y))
    {
        return Err("invalid coordinate".into());
    }
    check_offsets(&first_out, m as u64, "edge offsets")?;
    if head.iter().any(|&h| h as usize >= n) {
        return Err("edge head out of range".into());
    }
    let tail: Vec<u32> = (0..n)
        .flat_map(|v| std::iter::repeat_n(v as u32, (first_out[v + 1] - first_out[v]) as usize))
        .collect();
    check_offsets(&turns.first_out, t as u64, "turn offsets")?;
    for p in 0..m as u32 {
        for a in turns.out(p) {
            let x = turns.head[a as usize];
            if x as usize >= m || tail[x as usize] != head[p as usize] {
                return Err(format!("turn {a} does not continue its edge"));
            }
        }
    }
    let chains = Chains::build(&turns, &dist_dm);
    let n = chains.len();
    let rank = r.u32s(n)?;
    let fwd_first = r.u32s(n + 1)?;
    let bwd_first = r.u32s(n + 1)?;
    let raw = r.u32s(k * 5)?;
    if r.pos != p.len() {
        return Err("trailing bytes after the hierarchy".into());
    }
    let mut seen = vec![false; n];
    for &x in &rank {
        if x as usize >= n || std::mem::replace(&mut seen[x as usize], true) {
            return Err("chain ranks are not a permutation".into());
        }
    }
    let nf = fwd_first.last().copied().unwrap_or(0) as u64;
    check_offsets(&fwd_first, nf, "forward offsets")?;
    if bwd_first.first().map(|&x| x as u64) != Some(nf) || bwd_first.windows(2).any(|w| w[0] > w[1])
    {
        return Err("backward offsets inconsistent".into());
    }
    if bwd_first.last().map(|&x| x as usize) != Some(k) {
        return Err("backward offsets do not end at the edge count".into());
    }
    // owner (rank) of every hierarchy edge
    let mut owner = vec![0u32; k];
    for v in 0..n {
        for i in fwd_first[v]..fwd_first[v + 1] {
            owner[i as usize] = v as u32;
        }
        for i in bwd_first[v]..bwd_first[v + 1] {
            owner[i as usize] = v as u32;
        }
    }
    let mut edges = Vec::with_capacity(k);
    for (i, c) in raw.chunks_exact(5).enumerate() {
        let e = ChEdge {
            other: c[0],
            time_ms: c[1],
            dist_dm: c[2],
            a: c[3],
            b: c[4],
        };
        let o = owner[i] as usize;
        if e.other as usize >= n || e.other as usize <= o {
            return Err(format!("hierarchy edge {i} does not lead upwards"));
        }
        if e.b == NONE {
            if e.a as usize >= chains.arc_head.len() {
                return Err(format!("hierarchy edge {i} refers to a missing arc"));
            }
        } else if e.a as usize >= k
            || e.b as usize >= k
            || owner[e.a as usize] as usize >= o
            || owner[e.b as usize] as usize >= o
        {
            return Err(format!("shortcut {i} has invalid halves"));
        }
        edges.push(e);
    }
    let nodes = lon.len();
    let (first_in, in_edges) = reverse_index(nodes, &head);
    let graph = Graph {
        lon,
        lat,
        first_out,
        tail,
        head,
        time_ms,
        dist_dm,
        way,
        first_in,
        in_edges,
        signal: vec![false; nodes],
        restrictions: Vec::new(),
        local_ways: Vec::new(),
        turn_costs: TurnCosts::none(),
    };
    let h = Hierarchy {
        rank,
        fwd_first,
        bwd_first,
        edges,
    };
    Ok(Ch::from_parts(graph, turns, chains, h))
}
