//! yingji-cap
