//! What every handler and job can reach: the application's shared state.
//! Built once by [`crate::open`]; handlers take it with `State<AppState>`.

use std::sync::{Arc, RwLock};

use crate::config::Config;
use crate::db::Db;
use crate::divisions::Tree;
use crate::journal::Feed;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub feed: Feed,
    tree: Arc<RwLock<Arc<Tree>>>,
    /// Verified sessions and tokens (see [`crate::auth::cache`]).
    pub principals: Arc<crate::auth::cache::Principals>,
    /// Exports per user and hour (see [`crate::http::limit`]).
    pub exports: Arc<crate::http::limit::ExportLimiter>,
    /// The road graph, when one is configured.
    pub routing: Option<Arc<yingji_routing::Ch>>,
    /// Upstream CAP sources' read state.
    pub upstream: crate::upstream::sources::Sources,
    /// This node's id among several on one PostgreSQL (`[cluster] node_id`).
    pub node_id: Arc<str>,
}

impl AppState {
    pub async fn new(db: Db, config: Config) -> Result<AppState, crate::db::DbError> {
        let tree = crate::divisions::store::load_tree(&db).await?;
        let node_id = config.cluster.resolve_node_id().into();
        Ok(AppState {
            db,
            node_id,
            routing: None,
            config: Arc::new(config),
            feed: Feed::default(),
            tree: Arc::new(RwLock::new(Arc::new(tree))),
            principals: Arc::default(),
            exports: Arc::default(),
            upstream: Default::default(),
        })
    }

    /// Begin a change of data: the one write path (see
    /// [`crate::journal::Change`]).
    pub async fn change(&self) -> Result<crate::journal::Change, crate::db::DbError> {
        crate::journal::Change::begin(&self.db, &self.feed).await
    }

    /// Change one versioned record and journal it, in one transaction (see
    /// [`crate::journal::Change::save_and_commit`]).
    pub async fn save_and_commit<R: crate::db::Versioned>(
        &self,
        record: &R,
        at: time::OffsetDateTime,
        entries: Vec<crate::journal::NewEntry>,
    ) -> Result<Vec<crate::journal::Entry>, crate::db::DbError> {
        crate::journal::Change::save_and_commit(&self.db, &self.feed, record, at, entries).await
    }

    /// Change several versioned records of one kind and journal them, in
    /// one transaction (see
    /// [`crate::journal::Change::save_all_and_commit`]).
    pub async fn save_all_and_commit<R: crate::db::Versioned>(
        &self,
        records: &[&R],
        at: time::OffsetDateTime,
        entries: Vec<crate::journal::NewEntry>,
    ) -> Result<Vec<crate::journal::Entry>, crate::db::DbError> {
        crate::journal::Change::save_all_and_commit(&self.db, &self.feed, records, at, entries)
            .await
    }

    /// What the cluster's jobs use (see [`crate::cluster::Node`]).
    pub fn node(&self) -> crate::cluster::Node {
        crate::cluster::Node {
            db: self.db.clone(),
            id: self.node_id.clone(),
            config: self.config.cluster.clone(),
            database_url: self.config.database_url(),
        }
    }

    /// The division tree as of now (cheap clone of an Arc).
    pub fn tree(&self) -> Arc<Tree> {
        match self.tree.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reload the division tree after an import.
    pub async fn reload_tree(&self) -> Result<(), crate::db::DbError> {
        let t = Arc::new(crate::divisions::store::load_tree(&self.db).await?);
        match self.tree.write() {
            Ok(mut g) => *g = t,
            Err(poisoned) => *poisoned.into_inner() = t,
        }
        Ok(())
    }
}
