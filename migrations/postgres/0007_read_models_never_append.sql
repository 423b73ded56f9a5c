-- Readers of the log do not wait for transactions of the read models' connections (see `SETTLED`
-- in eventlog/src/postgres.rs); that is only safe while those connections never append events.
CREATE FUNCTION events_not_from_read_models() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('application_name') = 'ikono-read-models' THEN
        RAISE EXCEPTION 'a read model''s connection cannot append events: readers of the log do not wait for it'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER events_not_from_read_models BEFORE INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_not_from_read_models();
