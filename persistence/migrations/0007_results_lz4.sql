-- A completed run's equity curve and zones are ~0.8 MB of CSV for two years
-- of hourly bars. pglz, the default, compressed them in the transaction that
-- completes the run; lz4 compresses several times faster to a similar size.
-- Values stored before keep pglz (PostgreSQL reads both).
ALTER TABLE run_equity ALTER COLUMN csv SET COMPRESSION lz4;
ALTER TABLE run_zones ALTER COLUMN csv SET COMPRESSION lz4;
