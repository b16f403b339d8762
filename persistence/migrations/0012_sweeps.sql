-- Parameter sweeps: one row a sweep, its configurations' results, and its
-- chunks, which are ordinary queued runs (sweep_id set) so that they obey
-- priorities and the per-user limit, run on local workers and on nodes and
-- are retried like any run. A configuration's result is inserted by the
-- statement that completes its chunk, so each is stored exactly once.
CREATE TABLE sweeps (
  id             uuid PRIMARY KEY,
  user_id        bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  symbol         text NOT NULL,
  timeframe      text NOT NULL,
  strategy       text NOT NULL,
  start_time     timestamptz NOT NULL,
  end_time       timestamptz NOT NULL,
  spec_json      text NOT NULL,        -- the specification, as the chunks run it
  objective      text NOT NULL,
  maximise       boolean NOT NULL,
  configurations integer NOT NULL,
  chunks         integer NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sweeps_user_created ON sweeps (user_id, created_at DESC);

CREATE TABLE sweep_results (
  sweep_id          uuid NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
  config_index      integer NOT NULL,
  status            text NOT NULL CHECK (status IN ('completed', 'skipped', 'failed')),
  params_json       text NOT NULL,
  execution_json    text NOT NULL,
  config_hash       text,
  metrics_json      text,
  reason            text,
  objective         double precision,
  meets_constraints boolean NOT NULL,
  daily_returns     bytea NOT NULL,    -- float64 little-endian, one per UTC day
  PRIMARY KEY (sweep_id, config_index)
);

ALTER TABLE runs ADD COLUMN sweep_id uuid REFERENCES sweeps(id) ON DELETE CASCADE;
CREATE INDEX runs_sweep ON runs (sweep_id) WHERE sweep_id IS NOT NULL;
-- A configuration's row is about 5 KB (its returns 8 bytes a day, its
-- metrics 1 KB), over the 2 KB at which PostgreSQL compresses: lz4 rather
-- than pglz, which made storing a chunk cost twice its computation.
ALTER TABLE sweep_results ALTER COLUMN daily_returns SET COMPRESSION lz4;
ALTER TABLE sweep_results ALTER COLUMN metrics_json SET COMPRESSION lz4;
