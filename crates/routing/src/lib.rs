//! yingji-routing
