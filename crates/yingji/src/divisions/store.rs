use super::{Code, Division, Level, Tree};
use crate::db::{col, Db, DbError, Tx};

/// Insert or update divisions (by code).
pub async fn upsert(tx: &mut Tx, divisions: &[Division]) -> Result<usize, DbError> {
    for d in divisions {
        sqlx::query(
            "INSERT INTO divisions (code, name, level, parent) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, parent = excluded.parent",
        )
        .bind(&d.code)
        .bind(&d.name)
        .bind(d.level.as_str())
        .bind(d.parent.clone())
        .execute(&mut *tx.inner)
        .await?;
    }
    Ok(divisions.len())
}

/// Store a WGS84 boundary (GeoJSON geometry text) and its label point.
pub async fn set_boundary(
    tx: &mut Tx,
    code: &Code,
    geojson: &str,
    label: Option<(f64, f64)>,
) -> Result<bool, DbError> {
    let r = sqlx::query(
        "UPDATE divisions SET boundary = $1, label_lon = $2, label_lat = $3 WHERE code = $4",
    )
    .bind(geojson)
    .bind(label.map(|l| l.0))
    .bind(label.map(|l| l.1))
    .bind(code.as_str())
    .execute(&mut *tx.inner)
    .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn count(db: &Db) -> Result<i64, DbError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM divisions")
        .fetch_one(db.pool())
        .await?;
    col(&row, "n")
}

/// Load the whole tree with parsed boundaries.
pub async fn load_tree(db: &Db) -> Result<Tree, DbError> {
    let rows = sqlx::query("SELECT code, name, level, parent, boundary FROM divisions")
        .fetch_all(db.pool())
        .await?;
    let mut divisions = Vec::with_capacity(rows.len());
    let mut boundaries = Vec::new();
    for r in &rows {
        let code: String = col(r, "code")?;
        let level: String = col(r, "level")?;
        let level = Level::parse(&level).ok_or_else(|| DbError::Corrupt {
            table: "divisions",
            detail: format!("{code}: unknown level {level:?}"),
        })?;
        let boundary: Option<String> = col(r, "boundary")?;
        if let Some(b) = boundary {
            let mp = yingji_geo::geojson::parse_multipolygon(&b).map_err(|e| DbError::Corrupt {
                table: "divisions",
                detail: format!("{code}: boundary: {e}"),
            })?;
            if let Ok(c) = Code::parse(&code) {
                boundaries.push((c, mp));
            }
        }
        divisions.push(Division {
            code,
            name: col(r, "name")?,
            level,
            parent: col(r, "parent")?,
        });
    }
    Ok(Tree::new(divisions, boundaries))
}

/// Boundaries (GeoJSON text) of divisions within `prefix` at or above `deepest` level.
pub async fn boundaries(db: &Db, prefix: &str) -> Result<Vec<(Division, String)>, DbError> {
    let rows = sqlx::query(
        "SELECT code, name, level, parent, boundary FROM divisions WHERE boundary IS NOT NULL AND code LIKE $1 ORDER BY code",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let level: String = col(r, "level")?;
        out.push((
            Division {
                code: col(r, "code")?,
                name: col(r, "name")?,
                level: Level::parse(&level).unwrap_or(Level::County),
                parent: col(r, "parent")?,
            },
            col(r, "boundary")?,
        ));
    }
    Ok(out)
}
