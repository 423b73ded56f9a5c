-- Appends are one INSERT written by the log (eventlog/src/postgres_insert.rs), no longer a PL/pgSQL
-- function: the unique indexes on (stream_id, revision) and event_id answer concurrent writers and
-- retries, and the log reads why when one refuses. Measured with `make bench` (docs/BENCHMARKS.md).
DROP FUNCTION append_batches(text[], text[], bigint[], integer[], integer[], uuid[], text[], integer[],
    jsonb[], uuid[], text[], uuid[], uuid[], timestamptz[]);
DROP FUNCTION append_events(text, text, bigint, uuid[], text[], integer[], jsonb[], uuid[], text[], uuid[],
    uuid[], timestamptz[]);

-- The global order is the key: one index fewer for every append to write.
ALTER TABLE events DROP CONSTRAINT events_pkey;
DROP INDEX events_global_order;
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (transaction_id, position);

-- Streams are names the log compares, never sorts for people: byte order, not the database's
-- collation, which made every step down the stream index a call of strcoll.
ALTER TABLE events ALTER COLUMN stream_id TYPE text COLLATE "C";

-- The read models' connections still cannot append (see 0007), checked on each row instead of by a
-- PL/pgSQL trigger on each statement, which cost every append a function call. Each CHECK is read
-- and compiled again by every INSERT (8 µs an append for two, measured with perf under sixteen
-- writers): revisions are the log's to number, from unsigned integers, so theirs goes.
ALTER TABLE events DROP CONSTRAINT events_revision_check;
DROP TRIGGER events_not_from_read_models ON events;
DROP FUNCTION events_not_from_read_models();
ALTER TABLE events ADD CONSTRAINT events_not_from_read_models
    CHECK (current_setting('application_name') <> 'ikono-read-models');
