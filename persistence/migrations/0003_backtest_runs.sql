-- Backtest runs: the persistent queue, their results and the dead letters.
CREATE TABLE runs (
  id               uuid PRIMARY KEY,
  user_id          bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  status           text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
  priority         smallint NOT NULL,              -- 0 high, 1 normal, 2 low
  queue_seq        bigserial,                      -- FIFO within a priority
  symbol           text NOT NULL,
  timeframe        text NOT NULL,
  source_timeframe text NOT NULL,                  -- stored bars the run reads (1h for a resampled 4h run)
  start_time       timestamptz NOT NULL,
  end_time         timestamptz NOT NULL,
  strategy         text NOT NULL,
  strategy_version text NOT NULL,
  config_json      text NOT NULL,                  -- canonical, fully defaulted
  params_json      text NOT NULL,
  execution_json   text NOT NULL,
  config_hash      text NOT NULL,
  dataset_checksum text NOT NULL,
  data_checksum    text,                           -- of the bars the run used
  dedupe_key       text NOT NULL,
  idempotency_key  text,
  attempts         integer NOT NULL DEFAULT 0,
  errors           jsonb NOT NULL DEFAULT '[]',
  error            text,
  worker_id        text,
  engine_version   text,
  progress         double precision NOT NULL DEFAULT 0,
  progress_time    timestamptz,
  trades_so_far    integer NOT NULL DEFAULT 0,
  not_before       timestamptz NOT NULL DEFAULT now(),
  created_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  finished_at      timestamptz,
  duration_ms      double precision,
  metrics_json     text,
  total_trades     integer,
  net_profit       numeric(24, 8),
  sharpe_ratio     double precision,
  total_return_pct double precision,
  max_drawdown_pct double precision,
  win_rate         double precision,
  profit_factor    double precision
);
-- One live run per identical submission; failed and cancelled runs may be resubmitted.
CREATE UNIQUE INDEX runs_dedupe ON runs (user_id, dedupe_key) WHERE status NOT IN ('failed', 'cancelled');
CREATE UNIQUE INDEX runs_idempotency ON runs (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX runs_queue ON runs (priority, queue_seq) WHERE status = 'queued';
CREATE INDEX runs_user_created ON runs (user_id, created_at DESC);

CREATE TABLE run_trades (
  run_id        uuid NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  trade_id      integer NOT NULL,
  side          text NOT NULL,
  entry_time    timestamptz NOT NULL,
  exit_time     timestamptz NOT NULL,
  entry_price   numeric(20, 8) NOT NULL,
  exit_price    numeric(20, 8) NOT NULL,
  quantity      numeric(20, 8) NOT NULL,
  pnl           numeric(24, 8) NOT NULL,
  pnl_pct       double precision NOT NULL,
  stop_price    numeric(20, 8),
  target_price  numeric(20, 8),
  initial_risk  numeric(24, 8),
  r_multiple    double precision,
  mae           numeric(20, 8) NOT NULL,
  mfe           numeric(20, 8) NOT NULL,
  holding_bars  integer NOT NULL,
  fill_type     text NOT NULL,
  exit_reason   text NOT NULL,
  commission    numeric(24, 8) NOT NULL,
  zone_id       bigint,
  zone_type     text,
  zone_strength double precision,
  PRIMARY KEY (run_id, trade_id)
);

-- Zones, like the equity curve below, are always read as a whole list:
-- one document per run, the exact zones.csv export.
CREATE TABLE run_zones (
  run_id  uuid PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  zones   integer NOT NULL,
  csv     text NOT NULL
);

-- The equity curve is always read whole (or downsampled from the whole), so
-- it is kept as one document per run: the exact equity.csv export
-- (time,equity,drawdown_pct per bar), compressed by TOAST. Twelve thousand
-- rows per run cost ~70 ms to index; one row costs ~2 ms.
CREATE TABLE run_equity (
  run_id  uuid PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  points  integer NOT NULL,
  csv     text NOT NULL
);
-- Compressing half a megabyte of CSV on every run costs more than the disk.
ALTER TABLE run_equity ALTER COLUMN csv SET STORAGE EXTERNAL;

CREATE TABLE dead_letters (
  run_id      uuid PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  user_id     bigint NOT NULL,
  attempts    integer NOT NULL,
  errors      jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
