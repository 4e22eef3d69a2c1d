//! Rebuild when the web UI (web/dist) changes, so the embedded copy is never stale.
fn main() {
    println!("cargo:rerun-if-changed=../../web/dist");
    println!("cargo:rerun-if-changed=build.rs");
}
