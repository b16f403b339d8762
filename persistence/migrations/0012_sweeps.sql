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
  PRIMARY KEY (sweep_id, config_index)
);

-- The daily returns of a chunk's configurations, one row a chunk: one
-- value of 2 MB is written far faster than 500 of 4 KB, each compressed and
-- moved out of line on its own.
CREATE TABLE sweep_returns (
  sweep_id    uuid NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
  first_index integer NOT NULL,
  lengths     integer[] NOT NULL,      -- returns of each configuration from first_index on
  returns     bytea NOT NULL,          -- float64 little-endian, one per UTC day, concatenated
  PRIMARY KEY (sweep_id, first_index)
);
-- Doubles do not compress: stored as they are.
ALTER TABLE sweep_returns ALTER COLUMN returns SET STORAGE EXTERNAL;

ALTER TABLE runs ADD COLUMN sweep_id uuid REFERENCES sweeps(id) ON DELETE CASCADE;
CREATE INDEX runs_sweep ON runs (sweep_id) WHERE sweep_id IS NOT NULL;
-- A metrics document is about 1 KB: lz4 rather than pglz if it ever grows
-- past the 2 KB at which PostgreSQL compresses.
ALTER TABLE sweep_results ALTER COLUMN metrics_json SET COMPRESSION lz4;

-- Walk-forward analyses: one queued run each (walk_forward_id set, its
-- folds run in order on one worker or node, each fold's test account
-- starting where the previous ended); the document, the stitched trades
-- and equity stored by the statement that completes that run.
CREATE TABLE walk_forwards (
  id           uuid PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  symbol       text NOT NULL,
  timeframe    text NOT NULL,
  strategy     text NOT NULL,
  start_time   timestamptz NOT NULL,
  end_time     timestamptz NOT NULL,
  spec_json    text NOT NULL,
  folds        integer NOT NULL,
  result_json  text,
  trades_csv   text COMPRESSION lz4,
  equity_csv   text COMPRESSION lz4,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX walk_forwards_user_created ON walk_forwards (user_id, created_at DESC);
ALTER TABLE runs ADD COLUMN walk_forward_id uuid REFERENCES walk_forwards(id) ON DELETE CASCADE;
CREATE INDEX runs_walk_forward ON runs (walk_forward_id) WHERE walk_forward_id IS NOT NULL;
