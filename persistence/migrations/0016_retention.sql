-- The retention purge finds expired finished runs and stale datasets by
-- these, a batch at a time, without scanning the tables.
CREATE INDEX runs_finished_at ON runs (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX datasets_updated_at ON datasets (updated_at);
