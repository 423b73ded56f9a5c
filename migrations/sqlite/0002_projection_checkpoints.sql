-- Where each projection (name, version) has read the log up to; moved in the same transaction as
-- the read model rows it covers.
CREATE TABLE projection_checkpoints (
    name            TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    transaction_id  INTEGER NOT NULL,
    sequence        INTEGER NOT NULL,
    PRIMARY KEY (name, version)
);
