//! Errors of this crate: every failure on user input is one of these, never a panic.

use std::path::PathBuf;

/// Everything that can go wrong while importing, preprocessing, loading or querying.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The input is not a readable OpenStreetMap PBF file (truncated, corrupt or another format).
    #[error("{path}: not a valid OpenStreetMap PBF file: {message}")]
    OsmPbf { path: PathBuf, message: String },
    /// The extract holds no road that the profile can drive on.
    #[error("{path}: the extract contains no routable roads for profile {profile:?}")]
    EmptyExtract { path: PathBuf, profile: String },
    /// A graph built from explicit nodes and edges is malformed.
    #[error("invalid graph: {0}")]
    InvalidGraph(String),
    /// The file is not a routing graph written by this crate.
    #[error("{path}: not a yingji routing graph file (bad magic bytes)")]
    NotAGraphFile { path: PathBuf },
    /// The graph file was written by another format version; rebuild it with this version.
    #[error("{path}: routing graph file has format version {found}, this program reads version {expected}; rebuild the graph")]
    VersionMismatch {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    /// The graph file is damaged (checksum mismatch, truncated, inconsistent contents).
    #[error("{path}: routing graph file is corrupt: {message}")]
    Corrupt { path: PathBuf, message: String },
    /// A coordinate is not a valid WGS84 longitude/latitude.
    #[error("invalid coordinate (lon {lon}, lat {lat})")]
    InvalidCoordinate { lon: f64, lat: f64 },
    /// No routable road lies within the maximum snapping distance of a coordinate.
    #[error("no routable road within {max_m} m of (lon {lon}, lat {lat})")]
    TooFarFromRoad { lon: f64, lat: f64, max_m: f64 },
    /// A time limit is zero, negative, not finite, or beyond [`crate::MAX_TIME_LIMIT_S`].
    #[error("invalid time limit {0} s (must be > 0 and at most {max} s)", max = crate::MAX_TIME_LIMIT_S)]
    InvalidTimeLimit(f64),
    /// Some other argument is out of range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
