//! SQL of the registries (one table, one code path for both engines).

use std::collections::HashMap;

use serde_json::Value;
use sqlx::any::AnyRow;

use super::{Dictionaries, Item, Opt, Valid};
use crate::auth::Scope;
use crate::db::{col, values_placeholders, Backend, Db, DbError, Sql, Tx, UtcText};
use crate::divisions::Tree;
use geo::BoundingRect;

/// List filters (already authorized: `scope` comes from `authorize`).
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub division: Option<String>,
    pub q: Option<String>,
    pub category: Option<String>,
    pub status: Option<String>,
    /// min_lon, min_lat, max_lon, max_lat
    pub bbox: Option<[f64; 4]>,
    pub limit: i64,
    pub offset: i64,
    /// Columns the text search `q` must not look in: the personal data the
    /// reader sees masked (a search would confirm the clear value).
    pub q_hidden: &'static [&'static str],
}

fn where_clause(q: &mut Sql, kind: &str, scope: &Scope, f: &Filter) {
    q.push(" WHERE kind = ").bind(kind);
    q.push(" AND division LIKE ")
        .bind(format!("{}%", scope.prefix));
    if let Some(org) = &scope.org {
        q.push(" AND org = ").bind(org.as_str());
    }
    if let Some(d) = &f.division {
        q.push(" AND division LIKE ").bind(format!("{d}%"));
    }
    if let Some(text) = &f.q {
        let like = format!("%{}%", text.replace(['%', '_'], ""));
        q.push(" AND (1 = 0");
        for column in ["name", "address", "responsible"] {
            if !f.q_hidden.contains(&column) {
                q.push(" OR ")
                    .push(column)
                    .push(" LIKE ")
                    .bind(like.clone());
            }
        }
        q.push(")");
    }
    if let Some(c) = &f.category {
        q.push(" AND category = ").bind(c.as_str());
    }
    if let Some(s) = &f.status {
        q.push(" AND status = ").bind(s.as_str());
    }
    if let Some([a, b, c, d]) = f.bbox {
        q.push(" AND lon >= ").bind(a).push(" AND lat >= ").bind(b);
        q.push(" AND lon <= ").bind(c).push(" AND lat <= ").bind(d);
    }
}

/// A record read by its `FromRow` with the division's current name.
fn named(mut item: Item, tree: &Tree) -> Item {
    item.division_name = tree.name(&item.division);
    item
}

pub async fn list(
    db: &Db,
    tree: &Tree,
    kind: &str,
    scope: &Scope,
    f: &Filter,
) -> Result<(i64, Vec<Item>), DbError> {
    let mut count = Sql::new("SELECT COUNT(*) AS n FROM registry_items");
    where_clause(&mut count, kind, scope, f);
    let total: i64 = col(&count.query().fetch_one(db.pool()).await?, "n")?;
    let mut q = Sql::new("SELECT * FROM registry_items");
    where_clause(&mut q, kind, scope, f);
    q.push(" ORDER BY id LIMIT ")
        .bind(f.limit)
        .push(" OFFSET ")
        .bind(f.offset);
    let rows: Vec<Item> = q.query_as().fetch_all(db.pool()).await?;
    Ok((total, rows.into_iter().map(|i| named(i, tree)).collect()))
}

/// The names of records of one `kind` by id (the other modules' lists show
/// the enterprise or monitoring point a record belongs to).
pub async fn names(db: &Db, kind: &str, ids: &[i64]) -> Result<HashMap<i64, String>, DbError> {
    Ok(places(db, kind, ids)
        .await?
        .into_iter()
        .map(|(id, p)| (id, p.name))
        .collect())
}

/// A record's name and where it is (WGS84).
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub name: String,
    pub lon: f64,
    pub lat: f64,
}

/// The names and positions of records of one `kind` by id (the map shows
/// a monitoring point's alarms where the point is).
pub async fn places(db: &Db, kind: &str, ids: &[i64]) -> Result<HashMap<i64, Place>, DbError> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut q = Sql::new("SELECT id, name, lon, lat FROM registry_items WHERE kind = ");
    q.bind(kind)
        .push(" AND id IN (")
        .bind_list(ids.iter().copied())
        .push(")");
    for r in q.query().fetch_all(db.pool()).await? {
        out.insert(
            col::<i64>(&r, "id")?,
            Place {
                name: col::<String>(&r, "name")?,
                lon: col::<f64>(&r, "lon")?,
                lat: col::<f64>(&r, "lat")?,
            },
        );
    }
    Ok(out)
}

pub async fn get(db: &Db, tree: &Tree, kind: &str, id: i64) -> Result<Option<Item>, DbError> {
    let row: Option<Item> =
        sqlx::query_as("SELECT * FROM registry_items WHERE kind = $1 AND id = $2")
            .bind(kind)
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|i| named(i, tree)))
}

pub async fn get_tx(
    tx: &mut Tx,
    tree: &Tree,
    kind: &str,
    id: i64,
) -> Result<Option<Item>, DbError> {
    let row: Option<Item> =
        sqlx::query_as("SELECT * FROM registry_items WHERE kind = $1 AND id = $2")
            .bind(kind)
            .bind(id)
            .fetch_optional(&mut *tx.inner)
            .await?;
    Ok(row.map(|i| named(i, tree)))
}

/// Rows per multi-row INSERT: 15 parameters a row keep a statement
/// (30,000) under SQLite's 32,766 and PostgreSQL's 65,535 bind-parameter
/// limits.
pub const INSERT_BATCH: usize = 2000;

/// Names per `IN (…)` list when looking up existing keys.
const LOOKUP_BATCH: usize = 1000;

/// Which of `keys` ((division, name) → file row) already exist for this
/// kind: the rows of the file that would duplicate a stored record. Batched:
/// when the kind holds few records compared with the file, one scan of the
/// kind's keys; otherwise `IN` lists of names — never a query per row.
pub async fn existing_keys(
    tx: &mut Tx,
    kind: &str,
    keys: &HashMap<(String, String), usize>,
) -> Result<Vec<usize>, DbError> {
    let n: i64 = col(
        &sqlx::query("SELECT COUNT(*) AS n FROM registry_items WHERE kind = $1")
            .bind(kind)
            .fetch_one(&mut *tx.inner)
            .await?,
        "n",
    )?;
    let mut found = Vec::new();
    if n == 0 || keys.is_empty() {
        return Ok(found);
    }
    let hit = |r: &AnyRow, found: &mut Vec<usize>| -> Result<(), DbError> {
        let k = (col::<String>(r, "division")?, col::<String>(r, "name")?);
        if let Some(row) = keys.get(&k) {
            found.push(*row);
        }
        Ok(())
    };
    if (n as usize) <= 4 * keys.len() + 10_000 {
        let rows = sqlx::query("SELECT division, name FROM registry_items WHERE kind = $1")
            .bind(kind)
            .fetch_all(&mut *tx.inner)
            .await?;
        for r in &rows {
            hit(r, &mut found)?;
        }
    } else {
        let mut names: Vec<&str> = keys.keys().map(|(_, name)| name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        for chunk in names.chunks(LOOKUP_BATCH) {
            let mut q = Sql::new("SELECT division, name FROM registry_items WHERE kind = ");
            q.bind(kind).push(" AND name IN (");
            for (i, name) in chunk.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.bind(*name);
            }
            q.push(")");
            for r in q.query().fetch_all(&mut *tx.inner).await? {
                hit(&r, &mut found)?;
            }
        }
    }
    found.sort_unstable();
    Ok(found)
}

/// Insert many records with multi-row INSERTs ([`INSERT_BATCH`] rows a
/// statement) in the caller's transaction. Returns the new ids in the order
/// of `rows` (matched back by the unique (division, name) key, since neither
/// engine promises the order of `RETURNING` rows).
///
/// Placeholders: [`crate::db::values_placeholders`].
pub async fn insert_many(
    tx: &mut Tx,
    backend: Backend,
    kind: &str,
    rows: &[(&Valid, &str)],
    now: time::OffsetDateTime,
) -> Result<Vec<i64>, DbError> {
    const COLS: usize = 15;
    let now = UtcText(now);
    let mut ids = Vec::with_capacity(rows.len());
    let mut sql = String::new();
    for chunk in rows.chunks(INSERT_BATCH) {
        sql.clear();
        sql.push_str(
            "INSERT INTO registry_items (kind, name, division, org, lon, lat, address, responsible, phone, duty_phone, status, category, attrs, created_at, updated_at, version) VALUES ",
        );
        sql.push_str(&values_placeholders(backend, chunk.len(), COLS, ", 1)"));
        sql.push_str(" RETURNING id, division, name");
        let mut q = sqlx::query(&sql);
        for (v, org) in chunk {
            q = q
                .bind(kind)
                .bind(v.name.as_str())
                .bind(v.division.as_str())
                .bind(*org)
                .bind(v.lon)
                .bind(v.lat)
                .bind(v.address.as_str())
                .bind(v.responsible.as_str())
                .bind(v.phone.as_str())
                .bind(v.duty_phone.as_str())
                .bind(v.status.as_str())
                .bind(v.category.as_str())
                .bind(serde_json::to_string(&v.attrs).unwrap_or_else(|_| "{}".into()))
                .bind(now)
                .bind(now);
        }
        let returned = q.fetch_all(&mut *tx.inner).await?;
        let mut by_key: HashMap<(String, String), i64> = HashMap::with_capacity(returned.len());
        for r in &returned {
            by_key.insert((col(r, "division")?, col(r, "name")?), col(r, "id")?);
        }
        for (v, _) in chunk {
            let id = by_key
                .remove(&(v.division.as_str().to_string(), v.name.clone()))
                .ok_or_else(|| DbError::Corrupt {
                    table: "registry_items",
                    detail: format!("inserted row {} / {} not returned", v.division, v.name),
                })?;
            ids.push(id);
        }
    }
    Ok(ids)
}

pub async fn insert(
    tx: &mut Tx,
    kind: &str,
    v: &Valid,
    org: &str,
    now: time::OffsetDateTime,
) -> Result<i64, DbError> {
    let now = UtcText(now);
    let row = sqlx::query(
        "INSERT INTO registry_items (kind, name, division, org, lon, lat, address, responsible, phone, duty_phone, status, category, attrs, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14) RETURNING id",
    )
    .bind(kind)
    .bind(&v.name)
    .bind(v.division.as_str())
    .bind(org)
    .bind(v.lon)
    .bind(v.lat)
    .bind(&v.address)
    .bind(&v.responsible)
    .bind(&v.phone)
    .bind(&v.duty_phone)
    .bind(&v.status)
    .bind(&v.category)
    .bind(Value::Object(v.attrs.clone()).to_string())
    .bind(now)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

/// Set a record's status (e.g. dispatched by a dispatch order); the
/// version moves on so an open edit form sees the change.
pub async fn set_status(
    tx: &mut Tx,
    kind: &str,
    id: i64,
    status: &str,
    now: time::OffsetDateTime,
) -> Result<bool, DbError> {
    let r = sqlx::query(
        "UPDATE registry_items SET status = $1, version = version + 1, updated_at = $2 WHERE kind = $3 AND id = $4",
    )
    .bind(status)
    .bind(UtcText(now))
    .bind(kind)
    .bind(id)
    .execute(&mut *tx.inner)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_org(tx: &mut Tx, id: i64, org: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE registry_items SET org = $1 WHERE id = $2")
        .bind(org)
        .bind(id)
        .execute(&mut *tx.inner)
        .await?;
    Ok(())
}

/// Write an item's every editable column over its row if the row is
/// still at version `read` (the one write path: `Change::save`).
pub async fn update(tx: &mut Tx, item: &Item, read: i64) -> Result<bool, DbError> {
    let r = sqlx::query(
        "UPDATE registry_items SET name = $1, division = $2, org = $3, lon = $4, lat = $5, address = $6, responsible = $7, \
         phone = $8, duty_phone = $9, status = $10, category = $11, attrs = $12, version = version + 1, updated_at = $13 \
         WHERE kind = $14 AND id = $15 AND version = $16",
    )
    .bind(&item.name)
    .bind(&item.division)
    .bind(&item.org)
    .bind(item.lon)
    .bind(item.lat)
    .bind(&item.address)
    .bind(&item.responsible)
    .bind(&item.phone)
    .bind(&item.duty_phone)
    .bind(&item.status)
    .bind(&item.category)
    .bind(&item.attrs)
    .bind(item.updated_at)
    .bind(&item.kind)
    .bind(item.id)
    .bind(read)
    .execute(&mut *tx.inner)
    .await?;
    Ok(r.rows_affected() == 1)
}

impl crate::db::Versioned for Item {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        update(tx, self, read).await
    }
}

pub async fn delete(tx: &mut Tx, kind: &str, id: i64) -> Result<bool, DbError> {
    let r = sqlx::query("DELETE FROM registry_items WHERE kind = $1 AND id = $2")
        .bind(kind)
        .bind(id)
        .execute(&mut *tx.inner)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Counts per kind within a scope prefix (dashboard).
pub async fn counts(db: &Db, prefix: &str) -> Result<Vec<(String, i64)>, DbError> {
    let rows = sqlx::query(
        "SELECT kind, COUNT(*) AS n FROM registry_items WHERE division LIKE $1 GROUP BY kind",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((col(r, "kind")?, col(r, "n")?)))
        .collect()
}

pub async fn load_dictionaries(db: &Db) -> Result<Dictionaries, DbError> {
    let rows =
        sqlx::query("SELECT dict, code, label_zh, label_en FROM dictionaries ORDER BY dict, ord")
            .fetch_all(db.pool())
            .await?;
    let mut d = Dictionaries::new();
    for r in &rows {
        d.entry(col(r, "dict")?).or_default().push(Opt {
            value: col(r, "code")?,
            label_zh: col(r, "label_zh")?,
            label_en: col(r, "label_en")?,
        });
    }
    Ok(d)
}

/// Put in the default dictionaries where a dictionary is empty.
pub async fn ensure_dictionaries(db: &Db) -> Result<(), DbError> {
    let have = load_dictionaries(db).await?;
    let mut tx = db.begin().await?;
    for (name, opts) in crate::resources::default_dictionaries() {
        if have.contains_key(name) {
            continue;
        }
        for (i, o) in opts.iter().enumerate() {
            sqlx::query("INSERT INTO dictionaries (dict, code, label_zh, label_en, ord) VALUES ($1, $2, $3, $4, $5)")
                .bind(name)
                .bind(&o.value)
                .bind(&o.label_zh)
                .bind(&o.label_en)
                .bind(i as i64)
                .execute(&mut *tx.inner)
                .await?;
        }
    }
    tx.commit_unjournaled().await
}

/// The bbox of a multipolygon, for map framing.
pub fn bbox_of(mp: &geo::MultiPolygon<f64>) -> Option<[f64; 4]> {
    mp.bounding_rect()
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
}

/// Set a hazard source's level (重大危险源 grade, or `none`) in `change`, as
/// another module's grading found it (`supervision`'s GB 18218 units), and
/// stage the registry's own journal entry (`graded`, with `basis` — what
/// graded it). Nothing is written when the source does not exist or already
/// has that level. The one way another module changes a registry record.
pub async fn set_hazard_level(
    change: &mut crate::journal::Change,
    tree: &Tree,
    id: i64,
    level: &str,
    actor: &str,
    basis: Value,
    now: time::OffsetDateTime,
) -> Result<(), DbError> {
    let Some(mut item) = get_tx(change, tree, "hazard_source", id).await? else {
        return Ok(());
    };
    let before = item.attrs.get("level").cloned().unwrap_or(Value::Null);
    if before == level {
        return Ok(());
    }
    item.attrs.0.insert("level".into(), level.into());
    item.category = level.to_string();
    item.updated_at = UtcText(now);
    change.save(&item).await?;
    let mut payload = serde_json::json!({ "level": { "before": before, "after": level } });
    if let (Some(p), Value::Object(b)) = (payload.as_object_mut(), basis) {
        p.extend(b);
    }
    change.stage([crate::journal::NewEntry::new(
        actor,
        "registry",
        &item.division,
        "hazard_source",
        item.id,
        "graded",
        payload,
    )]);
    Ok(())
}
