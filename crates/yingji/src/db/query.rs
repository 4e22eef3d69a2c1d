//! A tiny SQL builder that numbers `$N` placeholders, so dynamic filters are
//! written once for both engines.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::Any;

/// A bound value.
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    Text(String),
    Int(i64),
    Float(f64),
    Null,
}

impl From<&str> for Bind {
    fn from(v: &str) -> Self {
        Bind::Text(v.to_string())
    }
}
impl From<String> for Bind {
    fn from(v: String) -> Self {
        Bind::Text(v)
    }
}
impl From<i64> for Bind {
    fn from(v: i64) -> Self {
        Bind::Int(v)
    }
}
impl From<f64> for Bind {
    fn from(v: f64) -> Self {
        Bind::Float(v)
    }
}
impl From<Option<String>> for Bind {
    fn from(v: Option<String>) -> Self {
        v.map(Bind::Text).unwrap_or(Bind::Null)
    }
}

/// SQL text plus its binds.
#[derive(Debug, Default, Clone)]
pub struct Sql {
    text: String,
    binds: Vec<Bind>,
}

/// Apply every bind, in order, to a `sqlx::query` or `sqlx::query_as`.
macro_rules! bind_all {
    ($q:expr, $binds:expr) => {{
        let mut q = $q;
        for b in $binds {
            q = match b {
                Bind::Text(s) => q.bind(s.as_str()),
                Bind::Int(i) => q.bind(*i),
                Bind::Float(f) => q.bind(*f),
                Bind::Null => q.bind(Option::<String>::None),
            };
        }
        q
    }};
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_string(),
            binds: Vec::new(),
        }
    }

    /// Append raw SQL.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Append a placeholder for `value`.
    pub fn bind(&mut self, value: impl Into<Bind>) -> &mut Self {
        self.binds.push(value.into());
        self.text.push('$');
        self.text.push_str(&self.binds.len().to_string());
        self
    }

    /// Append a placeholder for each of `values`, separated by commas (the
    /// inside of an `IN (…)`; the caller makes sure there is at least one).
    pub fn bind_list<V: Into<Bind>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Self {
        for (n, v) in values.into_iter().enumerate() {
            if n > 0 {
                self.text.push_str(", ");
            }
            self.bind(v);
        }
        self
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// A sqlx query with every bind applied.
    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        bind_all!(sqlx::query(&self.text), &self.binds)
    }

    /// The same query reading each row as a `#[derive(sqlx::FromRow)]` record.
    pub fn query_as<T>(&self) -> sqlx::query::QueryAs<'_, Any, T, AnyArguments<'_>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        bind_all!(sqlx::query_as(&self.text), &self.binds)
    }
}

/// The placeholders of a multi-row `VALUES` list: `rows` tuples of `cols`
/// parameters, each tuple ended by `tail` (`")"`, or `", 1)"` for a
/// constant column). The one place that writes `?` instead of `$n`, on
/// SQLite: SQLite finds a numbered parameter's name by a linear scan, so
/// binding a many-thousand-parameter statement with `$n` names is quadratic;
/// anonymous `?` parameters are bound by position. Binds go in the same order
/// either way.
pub fn values_placeholders(
    backend: super::Backend,
    rows: usize,
    cols: usize,
    tail: &str,
) -> String {
    use std::fmt::Write;
    let mut sql = String::with_capacity(rows * (cols * 4 + tail.len() + 3));
    let mut n = 0;
    for i in 0..rows {
        sql.push_str(if i > 0 { ", (" } else { "(" });
        for c in 0..cols {
            n += 1;
            let sep = if c > 0 { ", " } else { "" };
            let _ = match backend {
                super::Backend::Sqlite => write!(sql, "{sep}?"),
                super::Backend::Postgres => write!(sql, "{sep}${n}"),
            };
        }
        sql.push_str(tail);
    }
    sql
}

/// One page of the records of `table` that `filter` selects (it writes
/// the condition after `WHERE `), in `order`, at most `limit` (1–500) from
/// `offset`, and how many match: the listing and its count share the one
/// filter. `table` and `order` are constants of the calling store, never
/// input.
pub async fn page<T>(
    db: &super::Db,
    table: &'static str,
    order: &'static str,
    (limit, offset): (i64, i64),
    filter: impl Fn(&mut Sql),
) -> Result<(Vec<T>, i64), super::DbError>
where
    T: for<'r> sqlx::FromRow<'r, AnyRow> + Send + Unpin,
{
    let mut q = Sql::new(&format!("SELECT * FROM {table} WHERE "));
    filter(&mut q);
    q.push(" ORDER BY ")
        .push(order)
        .push(" LIMIT ")
        .bind(limit.clamp(1, 500))
        .push(" OFFSET ")
        .bind(offset.max(0));
    let items = q.query_as().fetch_all(db.pool()).await?;
    let mut c = Sql::new(&format!("SELECT COUNT(*) AS n FROM {table} WHERE "));
    filter(&mut c);
    let total = col(&c.query().fetch_one(db.pool()).await?, "n")?;
    Ok((items, total))
}

/// The record of `table` with this `id`, if any. `table` is a constant of
/// the calling store, never input.
pub async fn by_id<T>(
    db: &super::Db,
    table: &'static str,
    id: i64,
) -> Result<Option<T>, super::DbError>
where
    T: for<'r> sqlx::FromRow<'r, AnyRow> + Send + Unpin,
{
    let sql = format!("SELECT * FROM {table} WHERE id = $1");
    Ok(sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// The end of every `Versioned::write`: bind the record's `id` and the
/// version it was `read` at as the update's last two parameters
/// (`… WHERE id = $n AND version = $n+1`), run it; true when it wrote.
pub async fn write_versioned<'q>(
    tx: &mut super::Tx,
    update: Query<'q, Any, AnyArguments<'q>>,
    id: i64,
    read: i64,
) -> Result<bool, super::DbError> {
    let done = update.bind(id).bind(read).execute(&mut *tx.inner).await?;
    Ok(done.rows_affected() == 1)
}

/// Read a column, turning decode failures into a [`super::DbError`].
pub fn col<'r, T>(row: &'r AnyRow, name: &str) -> Result<T, super::DbError>
where
    T: sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    use sqlx::Row;
    row.try_get(name).map_err(super::DbError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_row_values() {
        use super::super::Backend;
        assert_eq!(
            values_placeholders(Backend::Postgres, 2, 3, ", 1)"),
            "($1, $2, $3, 1), ($4, $5, $6, 1)"
        );
        assert_eq!(
            values_placeholders(Backend::Sqlite, 2, 2, ")"),
            "(?, ?), (?, ?)"
        );
        assert_eq!(values_placeholders(Backend::Sqlite, 0, 2, ")"), "");
    }

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut s = Sql::new("SELECT * FROM t WHERE a = ");
        s.bind("x")
            .push(" AND b = ")
            .bind(3i64)
            .push(" AND c > ")
            .bind(1.5);
        assert_eq!(
            s.text(),
            "SELECT * FROM t WHERE a = $1 AND b = $2 AND c > $3"
        );
        assert_eq!(
            s.binds,
            vec![Bind::Text("x".into()), Bind::Int(3), Bind::Float(1.5)]
        );
    }
}
