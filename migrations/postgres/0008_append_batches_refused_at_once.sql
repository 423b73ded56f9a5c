-- `append_batches` again, answering a refusal at once: a call whose streams are each named once
-- and whose event ids are all new and distinct, with a stale expectation, is refused for its first
-- stale stream without appending the batches before it one by one (60–160 ms for the router's 400
-- streams, then rolled back). Retries and repeated streams still go stream by stream.
CREATE OR REPLACE FUNCTION append_batches(
    p_streams text[], p_kinds text[], p_revisions bigint[], p_batches integer[], p_places integer[],
    p_ids uuid[], p_types text[], p_versions integer[], p_data jsonb[], p_companies uuid[],
    p_actors text[], p_correlations uuid[], p_causations uuid[], p_occurred timestamptz[])
RETURNS TABLE (stream_index integer, outcome text, current_revision bigint, last_transaction bigint,
               last_position bigint, stored_ids uuid[], stored_streams text[], stored_revisions bigint[],
               stored_transactions bigint[], stored_positions bigint[])
LANGUAGE plpgsql AS $$
DECLARE
    v_revisions bigint[];
    v_first_refused integer;
    v_distinct boolean;
    v_new boolean;
    v_transaction bigint;
    v_from integer := 1;
    v_to integer;
    v_events integer := coalesce(array_length(p_ids, 1), 0);
    v_result record;
BEGIN
    -- Locks taken in one order, so two multi-stream appends never wait for each other in a cycle.
    PERFORM pg_advisory_xact_lock(l.h)
       FROM (SELECT DISTINCT hashtextextended(s.name, 0) AS h FROM unnest(p_streams) AS s(name) ORDER BY 1) AS l;

    SELECT array_agg(c.rev ORDER BY b.idx),
           min(b.idx) FILTER (WHERE NOT (b.kind = 'any'
                    OR (b.kind = 'no_stream' AND c.rev IS NULL)
                    OR (b.kind = 'stream_exists' AND c.rev IS NOT NULL)
                    OR (b.kind = 'exact' AND c.rev IS NOT DISTINCT FROM b.expected))),
           count(DISTINCT b.name) = count(*)
      INTO v_revisions, v_first_refused, v_distinct
      FROM unnest(p_streams, p_kinds, p_revisions) WITH ORDINALITY AS b(name, kind, expected, idx)
      LEFT JOIN LATERAL (SELECT e.revision AS rev FROM events e WHERE e.stream_id = b.name
                          ORDER BY e.revision DESC LIMIT 1) AS c ON true;

    v_new := v_distinct AND NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = ANY(p_ids));

    IF v_new AND v_first_refused IS NOT NULL
       AND (SELECT count(DISTINCT i.id) FROM unnest(p_ids) AS i(id)) = v_events THEN
        -- Stream by stream the calls before it would append and this one be refused, and the
        -- caller rolls the whole call back: say so at once.
        RETURN QUERY SELECT v_first_refused, 'wrong_expected'::text, v_revisions[v_first_refused], NULL::bigint,
                            NULL::bigint, NULL::uuid[], NULL::text[], NULL::bigint[], NULL::bigint[], NULL::bigint[];
        RETURN;
    END IF;

    IF v_new AND v_first_refused IS NULL THEN
        v_transaction := pg_current_xact_id()::text::bigint;
        RETURN QUERY
        WITH inserted AS (
            INSERT INTO events (transaction_id, event_id, stream_id, revision, event_type, schema_version,
                                data, company_id, actor, correlation_id, causation_id, occurred_at)
            SELECT v_transaction, r.id, p_streams[r.batch], coalesce(v_revisions[r.batch], -1) + r.place,
                   r.t, r.v, r.d, r.c, r.a, r.corr, r.caus, r.o
              FROM unnest(p_ids, p_types, p_versions, p_data, p_companies, p_actors, p_correlations,
                          p_causations, p_occurred, p_batches, p_places)
                   WITH ORDINALITY AS r(id, t, v, d, c, a, corr, caus, o, batch, place, ord)
             ORDER BY r.ord
            RETURNING events.stream_id, events.position, events.revision
        )
        SELECT array_position(p_streams, i.stream_id), 'appended'::text, max(i.revision), v_transaction,
               max(i.position), NULL::uuid[], NULL::text[], NULL::bigint[], NULL::bigint[], NULL::bigint[]
          FROM inserted i
         GROUP BY i.stream_id
         ORDER BY 1;
        RETURN;
    END IF;

    FOR i IN 1 .. coalesce(array_length(p_streams, 1), 0) LOOP
        v_to := v_from - 1;
        WHILE v_to < v_events AND p_batches[v_to + 1] = i LOOP
            v_to := v_to + 1;
        END LOOP;
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
