//! A read model's tables read whole, each row as one text: two copies of a read model (the live
//! one and its rebuild, or two folds of the same log) hold the same rows when these are equal.

use crate::runner::Projection;
use crate::store::{Dialect, ReadStore};
use sqlx::Row;

/// The tables of `projection`'s version that `store` holds.
pub async fn tables_of(store: &ReadStore, projection: &dyn Projection) -> Result<Vec<String>, sqlx::Error> {
    let sql = match store.dialect() {
        Dialect::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
        Dialect::Postgres => {
            "SELECT CAST(tablename AS TEXT) AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        }
    };
    let names: Vec<String> = sqlx::query(sql)
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|row| row.try_get("name"))
        .collect::<Result<_, _>>()?;
    let (prefix, suffix) = (format!("{}_", projection.name()), format!("_v{}", projection.version()));
    Ok(names.into_iter().filter(|name| name.starts_with(&prefix) && name.ends_with(&suffix)).collect())
}

/// Every row of `table` as one text, sorted: two tables hold the same rows when these are equal.
pub async fn rows_of(
    connection: &mut sqlx::AnyConnection,
    dialect: Dialect,
    table: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let sql = match dialect {
        Dialect::Postgres => format!("SELECT CAST(t AS TEXT) AS row FROM {table} AS t"),
        Dialect::Sqlite => {
            let columns: Vec<String> = sqlx::query(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .fetch_all(&mut *connection)
                .await?
                .iter()
                .map(|row| row.try_get::<String, _>("name").map(|name| format!("quote(\"{name}\")")))
                .collect::<Result<_, _>>()?;
            format!("SELECT {} AS row FROM {table}", columns.join(" || '|' || "))
        }
    };
    let mut rows: Vec<String> = sqlx::query(&sql)
        .fetch_all(&mut *connection)
        .await?
        .iter()
        .map(|row| row.try_get("row"))
        .collect::<Result<_, _>>()?;
    rows.sort();
    Ok(rows)
}

/// Every row of each of `tables`, as [`rows_of`] gives them.
pub async fn rows_of_tables(store: &ReadStore, tables: &[String]) -> Result<Vec<Vec<String>>, sqlx::Error> {
    let mut connection = store.pool().acquire().await?;
    let mut rows = Vec::with_capacity(tables.len());
    for table in tables {
        rows.push(rows_of(&mut connection, store.dialect(), table).await?);
    }
    Ok(rows)
}
