-- Indexes a bulk load set aside (dropped to load fast, built again at the end; decision 0053),
-- each with the definition PostgreSQL printed for it. A row outlives the load only when the
-- load was interrupted; the next start builds the index again from it and deletes the row, so
-- an index is never lost to a crash. (On SQLite no index is set aside; the table stays empty.)
CREATE TABLE set_aside_indexes (
    name         TEXT NOT NULL PRIMARY KEY,
    definition   TEXT NOT NULL,
    set_aside_at BIGINT NOT NULL
);
