//! Which API token a request came with, for the journal: a task-local cell
//! the request's middleware (`api::attribution`) opens, the [`Principal`]
//! extractor fills and [`crate::journal::append`] reads. A leaf, so the
//! journal's store does not import the web layer.
//!
//! [`Principal`]: super::Principal

/// Which API token authenticated the current request, if any: set by the
/// [`Principal`](super::Principal) extractor, read by [`crate::journal::append`] so every
/// entry written with a token names it (`via_token` in the payload).
#[derive(Clone, Default)]
pub struct ViaToken(std::sync::Arc<std::sync::atomic::AtomicI64>);

impl ViaToken {
    pub(super) fn set(&self, id: i64) {
        self.0.store(id, std::sync::atomic::Ordering::Relaxed);
    }
    fn get(&self) -> Option<i64> {
        let id = self.0.load(std::sync::atomic::Ordering::Relaxed);
        (id > 0).then_some(id)
    }
}

tokio::task_local! {
    static VIA_TOKEN: ViaToken;
}

/// Run `f` with `cell` as the request's [`ViaToken`].
pub async fn within<F: std::future::Future>(cell: ViaToken, f: F) -> F::Output {
    VIA_TOKEN.scope(cell, f).await
}

/// The API token behind the request being handled (None: session, CLI,
/// background job).
pub fn current_token() -> Option<i64> {
    VIA_TOKEN.try_with(|c| c.get()).ok().flatten()
}
