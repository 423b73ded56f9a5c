-- Several streams' batches in one round trip: `append_events` for each slice, in order, inside the
-- caller's transaction. It stops at the first batch that is not appended; the caller then rolls
-- the whole transaction back, so nothing of it is stored.
CREATE FUNCTION append_many(
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
BEGIN
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
