-- Several streams' batches with one lock pass, one read of their revisions and one insert, where
-- every stream is named once, every expectation holds and no event id is stored yet: the common
-- case (the router's 200 assignments touch 400 streams). Anything else goes stream by stream as
-- before, to say which batch was refused and why, or to answer a retry.
CREATE OR REPLACE FUNCTION append_many(
    p_streams text[], p_kinds text[], p_revisions bigint[], p_counts integer[],
    p_ids uuid[], p_types text[], p_versions integer[], p_data jsonb[], p_companies uuid[],
    p_actors text[], p_correlations uuid[], p_causations uuid[], p_occurred timestamptz[])
RETURNS TABLE (stream_index integer, outcome text, current_revision bigint, last_transaction bigint,
               last_position bigint, stored_ids uuid[], stored_streams text[], stored_revisions bigint[],
               stored_transactions bigint[], stored_positions bigint[])
LANGUAGE plpgsql AS $$
DECLARE
    v_from integer := 1;
    v_to integer;
    v_result record;
    v_transaction bigint;
    v_batch_of_row integer[];
BEGIN
    -- Locks taken in one order, so two multi-stream appends never wait for each other in a cycle.
    PERFORM pg_advisory_xact_lock(l.h)
       FROM (SELECT DISTINCT hashtextextended(s.name, 0) AS h FROM unnest(p_streams) AS s(name) ORDER BY 1) AS l;

    IF (SELECT count(DISTINCT s.name) FROM unnest(p_streams) AS s(name)) = coalesce(array_length(p_streams, 1), 0)
       AND NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = ANY(p_ids))
       AND NOT EXISTS (
           SELECT 1
             FROM unnest(p_streams, p_kinds, p_revisions) AS b(name, kind, expected)
             LEFT JOIN LATERAL (SELECT max(e.revision) AS rev FROM events e WHERE e.stream_id = b.name) AS c ON true
            WHERE NOT (b.kind = 'any'
                       OR (b.kind = 'no_stream' AND c.rev IS NULL)
                       OR (b.kind = 'stream_exists' AND c.rev IS NOT NULL)
                       OR (b.kind = 'exact' AND c.rev IS NOT DISTINCT FROM b.expected)))
    THEN
        v_transaction := pg_current_xact_id()::text::bigint;
        SELECT array_agg(b.idx ORDER BY b.idx, g.n) INTO v_batch_of_row
          FROM unnest(p_counts) WITH ORDINALITY AS b(cnt, idx), generate_series(1, b.cnt) AS g(n);
        RETURN QUERY
        WITH batches AS (
            SELECT b.idx, b.name,
                   (SELECT max(e.revision) FROM events e WHERE e.stream_id = b.name) AS rev
              FROM unnest(p_streams) WITH ORDINALITY AS b(name, idx)
        ), incoming AS (
            SELECT r.*, row_number() OVER (PARTITION BY r.idx ORDER BY r.ord) AS nth
              FROM unnest(p_ids, p_types, p_versions, p_data, p_companies, p_actors, p_correlations,
                          p_causations, p_occurred, v_batch_of_row)
                   WITH ORDINALITY AS r(id, t, v, d, c, a, corr, caus, o, idx, ord)
        ), inserted AS (
            INSERT INTO events (transaction_id, event_id, stream_id, revision, event_type, schema_version,
                                data, company_id, actor, correlation_id, causation_id, occurred_at)
            SELECT v_transaction, i.id, b.name, coalesce(b.rev, -1) + i.nth, i.t, i.v, i.d, i.c,
                   i.a, i.corr, i.caus, i.o
              FROM incoming i JOIN batches b ON b.idx = i.idx
             ORDER BY i.ord
            RETURNING events.stream_id, events.position, events.revision
        )
        SELECT b.idx::integer, 'appended'::text, max(ins.revision), v_transaction, max(ins.position),
               NULL::uuid[], NULL::text[], NULL::bigint[], NULL::bigint[], NULL::bigint[]
          FROM batches b JOIN inserted ins ON ins.stream_id = b.name
         GROUP BY b.idx
         ORDER BY b.idx;
        RETURN;
    END IF;

    FOR i IN 1 .. coalesce(array_length(p_streams, 1), 0) LOOP
        v_to := v_from + p_counts[i] - 1;
        SELECT * INTO v_result FROM append_events(
            p_streams[i], p_kinds[i], p_revisions[i],
            p_ids[v_from:v_to], p_types[v_from:v_to], p_versions[v_from:v_to], p_data[v_from:v_to],
            p_companies[v_from:v_to], p_actors[v_from:v_to], p_correlations[v_from:v_to],
            p_causations[v_from:v_to], p_occurred[v_from:v_to]);
        stream_index := i;
        outcome := v_result.outcome;
        current_revision := v_result.current_revision;
        last_transaction := v_result.last_transaction;
        last_position := v_result.last_position;
        stored_ids := v_result.stored_ids;
        stored_streams := v_result.stored_streams;
        stored_revisions := v_result.stored_revisions;
        stored_transactions := v_result.stored_transactions;
        stored_positions := v_result.stored_positions;
        RETURN NEXT;
        IF v_result.outcome = 'wrong_expected' THEN
            RETURN;
        END IF;
        v_from := v_to + 1;
    END LOOP;
END;
$$;
