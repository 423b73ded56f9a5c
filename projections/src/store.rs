//! The read-side database: one pool over the log's database, SQL written once for both backends
//! (`$n` placeholders — SQLite's `?` in [`each_chunk`]'s many-row statements — TEXT for ids and
//! times).

use eventlog::sqlite::{WriteGate, WriteTurn};
use sqlx::any::{AnyArguments, AnyPoolOptions, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct ReadStore {
    pool: AnyPool,
    dialect: Dialect,
    /// On SQLite, where every writer of the file takes its turn.
    gate: Option<Arc<WriteGate>>,
}

/// A read-model write transaction, holding the database file's write turn on SQLite until it ends.
pub struct WriteTransaction {
    transaction: Transaction<'static, Any>,
    /// Declared after the transaction, so it is let go of only once the transaction has ended.
    _turn: Option<WriteTurn>,
}

impl WriteTransaction {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.transaction.commit().await
    }
}

impl Deref for WriteTransaction {
    type Target = Transaction<'static, Any>;

    fn deref(&self) -> &Self::Target {
        &self.transaction
    }
}

impl DerefMut for WriteTransaction {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.transaction
    }
}

impl ReadStore {
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let dialect = if url.starts_with("sqlite:") { Dialect::Sqlite } else { Dialect::Postgres };
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if dialect == Dialect::Sqlite {
                        sqlx::query("PRAGMA busy_timeout = 30000").execute(&mut *connection).await?;
                        // The log's checkpointer copies the WAL, outside the writers' turns.
                        sqlx::query("PRAGMA wal_autocheckpoint = 0").execute(&mut *connection).await?;
                        // Read models are large and written all over (a directory's search keys):
                        // 32 MiB of pages per connection instead of SQLite's 2 MiB.
                        sqlx::query("PRAGMA cache_size = -32768").execute(&mut *connection).await?;
                        // Read through the operating system's cache, shared by every connection,
                        // rather than copied into each one's: a search reads pages all over.
                        sqlx::query("PRAGMA mmap_size = 268435456").execute(&mut *connection).await?;
                    } else {
                        let named = format!("SET application_name = '{}'", eventlog::postgres::READ_MODELS);
                        sqlx::query(&named).execute(&mut *connection).await?;
                        // Read models' statements are prepared once and run while their tables
                        // grow from nothing: a generic plan made while a table was small (a
                        // sequential scan) would stay for good, and a rebuild's update of twenty
                        // chats took 3.2 ms instead of 0.7. Each run is planned for the tables as
                        // they are, for about 0.1 ms.
                        sqlx::query("SET plan_cache_mode = force_custom_plan").execute(&mut *connection).await?;
                    }
                    Ok(())
                })
            })
            .after_release(|connection, _| {
                // A task dropped in the middle of opening a transaction can leave it open with no
                // `Transaction` to roll it back; on SQLite it would hold the write lock for ever.
                // Such a connection is closed, which ends the transaction, instead of pooled.
                Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(connection)) })
            })
            .connect(url)
            .await?;
        let gate = match dialect {
            Dialect::Sqlite => Some(WriteGate::of(url)?),
            Dialect::Postgres => None,
        };
        Ok(Self { pool, dialect, gate })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// On SQLite, copies what the write-ahead log holds into the database file, without waiting
    /// for anyone. A long rebuild writes nothing to the log, so nothing else would: its WAL would
    /// grow by every page it writes, and every read look through all of it.
    pub async fn copy_write_ahead_log(&self) -> Result<(), sqlx::Error> {
        if self.dialect == Dialect::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&self.pool).await?;
        }
        Ok(())
    }

    /// A write transaction. SQLite takes the write lock at once so that reading the checkpoint and
    /// then writing can never fail on a snapshot another writer has moved.
    pub async fn begin_write(&self) -> Result<WriteTransaction, sqlx::Error> {
        self.begin_write_as("BEGIN", "PRAGMA synchronous = FULL; BEGIN IMMEDIATE").await
    }

    /// A write transaction of what the log rebuilds (read models with their checkpoints). Its
    /// commit does not wait for the disk: a crash can lose only the last few such transactions,
    /// checkpoint and rows together, and the runner applies their events again. (In SQLite's WAL
    /// what reaches the disk is always a prefix of the commits: the next commit that waits, the
    /// log's, takes this one with it.)
    pub async fn begin_rebuildable(&self) -> Result<WriteTransaction, sqlx::Error> {
        self.begin_write_as("BEGIN; SET LOCAL synchronous_commit = off", "PRAGMA synchronous = NORMAL; BEGIN IMMEDIATE")
            .await
    }

    async fn begin_write_as(
        &self,
        postgres_begin: &'static str,
        sqlite_begin: &'static str,
    ) -> Result<WriteTransaction, sqlx::Error> {
        let turn = match &self.gate {
            Some(gate) => Some(gate.for_read_models().await),
            None => None,
        };
        let transaction = match self.dialect {
            Dialect::Sqlite => self.pool.begin_with(sqlite_begin).await?,
            Dialect::Postgres => self.pool.begin_with(postgres_begin).await?,
        };
        Ok(WriteTransaction { transaction, _turn: turn })
    }
}

/// The values one statement binds at most. Statements still written with `$n` on SQLite bind in
/// time that grows with the square of their number (see [`value_rows`]); those of [`each_chunk`]
/// do not, and 1,000 a statement rebuilt a million events no faster than 360.
pub const PARAMETERS_PER_STATEMENT: usize = 360;

/// How many rows of `columns` values each one statement carries.
pub const fn rows_per_statement(columns: usize) -> usize {
    let rows = PARAMETERS_PER_STATEMENT / columns;
    if rows == 0 {
        1
    } else {
        rows
    }
}

/// Placeholders for `rows` rows of `columns` values each, one `(…)` a row, bound in their order:
/// PostgreSQL's `$1`, `$2`…; SQLite's `?`, because it finds a numbered parameter by walking its
/// list of them, which makes binding a statement of many values grow with the square of their
/// number.
pub fn value_rows(dialect: Dialect, rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let row: Vec<String> = (1..=columns)
                .map(|column| match dialect {
                    Dialect::Sqlite => "?".to_string(),
                    Dialect::Postgres => format!("${}", row * columns + column),
                })
                .collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A statement as [`each_chunk`] binds it.
pub type ChunkQuery<'q> = Query<'q, Any, AnyArguments<'q>>;

/// Runs a statement for each chunk of `rows` that fits in one ([`rows_per_statement`]):
/// `statement` writes it around the chunk's `VALUES` rows (its only parameters), `bind` binds one
/// row's `columns` values in their order. Answers every chunk's rows, in order.
pub async fn each_chunk<T>(
    connection: &mut AnyConnection,
    rows: &[T],
    columns: usize,
    statement: impl Fn(&str) -> String,
    mut bind: impl for<'q> FnMut(ChunkQuery<'q>, &'q T) -> ChunkQuery<'q>,
) -> Result<Vec<AnyRow>, sqlx::Error> {
    let dialect = if connection.backend_name() == "SQLite" { Dialect::Sqlite } else { Dialect::Postgres };
    let mut answered = Vec::new();
    for some in rows.chunks(rows_per_statement(columns)) {
        let sql = statement(&value_rows(dialect, some.len(), columns));
        let mut query = sqlx::query(&sql);
        for row in some {
            query = bind(query, row);
        }
        answered.extend(query.fetch_all(&mut *connection).await?);
    }
    Ok(answered)
}

/// A `LIKE` pattern, for `ESCAPE '\'`, matching text that holds `words` lower-cased: `%`, `_`
/// and `\` in them are themselves, not patterns.
pub fn like_holding(words: &str) -> String {
    format!("%{}%", like_escaped(words))
}

/// The same, for text that starts with `words`.
pub fn like_starting(words: &str) -> String {
    format!("{}%", like_escaped(words))
}

fn like_escaped(words: &str) -> String {
    words.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_values_are_bound_in_their_order() {
        assert_eq!(value_rows(Dialect::Postgres, 2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(value_rows(Dialect::Sqlite, 2, 2), "(?, ?), (?, ?)");
    }
}
