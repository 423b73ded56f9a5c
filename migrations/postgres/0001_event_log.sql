-- The append-only event log. Global order: (transaction_id, position); readers only see rows whose
-- writing transaction is older than every transaction still in flight, so a late commit is never skipped.
CREATE TABLE events (
    position        bigserial PRIMARY KEY,
    transaction_id  bigint      NOT NULL,
    event_id        uuid        NOT NULL UNIQUE,
    stream_id       text        NOT NULL,
    revision        bigint      NOT NULL CHECK (revision >= 0),
    event_type      text        NOT NULL,
    schema_version  integer     NOT NULL,
    data            jsonb       NOT NULL,
    company_id      uuid        NOT NULL,
    actor           text        NOT NULL,
    correlation_id  uuid        NOT NULL,
    causation_id    uuid,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_stream_revision UNIQUE (stream_id, revision)
);

CREATE INDEX events_global_order ON events (transaction_id, position);

-- The history is sacred: stored events are never changed or removed.
CREATE FUNCTION events_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are immutable: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER events_no_update_or_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_immutable();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_immutable();

-- One round trip per append: per-stream lock, idempotency check, expected-revision check, insert.
-- No NOTIFY here: a transaction that notifies takes a global lock through its commit, which would
-- serialize every writer's commit; the node notifies after commit instead.
CREATE FUNCTION append_events(
    p_stream text, p_expected_kind text, p_expected_revision bigint,
    p_ids uuid[], p_types text[], p_versions integer[], p_data jsonb[], p_companies uuid[],
    p_actors text[], p_correlations uuid[], p_causations uuid[], p_occurred timestamptz[])
RETURNS TABLE (outcome text, current_revision bigint, last_transaction bigint, last_position bigint,
               stored_ids uuid[], stored_streams text[], stored_revisions bigint[],
               stored_transactions bigint[], stored_positions bigint[])
LANGUAGE plpgsql AS $$
DECLARE
    v_current bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_stream, 0));

    SELECT array_agg(e.event_id), array_agg(e.stream_id), array_agg(e.revision),
           array_agg(e.transaction_id), array_agg(e.position)
      INTO stored_ids, stored_streams, stored_revisions, stored_transactions, stored_positions
      FROM events e WHERE e.event_id = ANY(p_ids);
    IF stored_ids IS NOT NULL THEN
        outcome := 'stored';
        RETURN NEXT;
        RETURN;
    END IF;

    SELECT max(e.revision) INTO v_current FROM events e WHERE e.stream_id = p_stream;
    current_revision := v_current;
    IF NOT (p_expected_kind = 'any'
            OR (p_expected_kind = 'no_stream' AND v_current IS NULL)
            OR (p_expected_kind = 'stream_exists' AND v_current IS NOT NULL)
            OR (p_expected_kind = 'exact' AND v_current IS NOT DISTINCT FROM p_expected_revision)) THEN
        outcome := 'wrong_expected';
        RETURN NEXT;
        RETURN;
    END IF;

    last_transaction := pg_current_xact_id()::text::bigint;
    WITH inserted AS (
        INSERT INTO events (transaction_id, event_id, stream_id, revision, event_type, schema_version,
                            data, company_id, actor, correlation_id, causation_id, occurred_at)
        SELECT last_transaction, b.id, p_stream, coalesce(v_current, -1) + b.ord, b.t, b.v, b.d, b.c,
               b.a, b.corr, b.caus, b.o
          FROM unnest(p_ids, p_types, p_versions, p_data, p_companies, p_actors, p_correlations,
                      p_causations, p_occurred)
               WITH ORDINALITY AS b(id, t, v, d, c, a, corr, caus, o, ord)
         ORDER BY b.ord
        RETURNING position, revision)
    SELECT max(inserted.position), max(inserted.revision) INTO last_position, current_revision FROM inserted;

    outcome := 'appended';
    RETURN NEXT;
END;
$$;
