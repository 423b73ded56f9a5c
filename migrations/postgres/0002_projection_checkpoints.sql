-- Where each projection (name, version) has read the log up to; moved in the same transaction as
-- the read model rows it covers.
CREATE TABLE projection_checkpoints (
    name            text    NOT NULL,
    version         integer NOT NULL,
    transaction_id  bigint  NOT NULL,
    sequence        bigint  NOT NULL,
    PRIMARY KEY (name, version)
);
