-- When each server node last said it was alive. Operational, not history: a node that stops
-- beating is taken for dead, and the leading router ends the presence of agents connected to it.
CREATE TABLE node_heartbeats (
    node     TEXT PRIMARY KEY,
    seen_at  TEXT NOT NULL
);
