-- A worker's claim admits the first queued run whose user has fewer running
-- runs than the per-user limit, counting them for each candidate it looks
-- at. Without an index that count read every run the user ever had: on a
-- freshly loaded table (no statistics yet) a claim behind 300 queued runs
-- took 5.4 ms, the costliest statement of a run, and it grows with history.
-- The running runs of a user are a handful: indexed apart, the count reads
-- only them.
CREATE INDEX runs_running_user ON runs (user_id) WHERE status = 'running';
