-- Evaluation programs: what they evaluate, their cycles, and each cycle's
-- configurations with the walk-forward that tests it. A configuration is
-- evaluated once per program on the same data (config_key holds the data
-- checksum), so a cycle never repeats an identical one unless its data
-- changed.
CREATE TABLE programs (
  id          uuid PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name        text NOT NULL,
  symbol      text NOT NULL,
  timeframe   text NOT NULL,
  spec_json   text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX programs_user_created ON programs (user_id, created_at DESC);

CREATE TABLE program_cycles (
  program_id      uuid NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
  cycle           integer NOT NULL,
  as_of           timestamptz NOT NULL,   -- market-data time: the last bar it saw
  data_checksum   text NOT NULL,
  configurations  integer NOT NULL,
  skipped         integer NOT NULL,       -- already evaluated on the same data
  scorecard_json  text,                   -- once every walk-forward has ended
  created_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  PRIMARY KEY (program_id, cycle)
);

CREATE TABLE program_evaluations (
  program_id       uuid NOT NULL,
  cycle            integer NOT NULL,
  config_index     integer NOT NULL,
  template_index   integer NOT NULL,
  strategy         text NOT NULL,
  params_json      text NOT NULL,
  config_key       text NOT NULL,
  walk_forward_id  uuid REFERENCES walk_forwards(id) ON DELETE SET NULL,
  PRIMARY KEY (program_id, cycle, config_index),
  FOREIGN KEY (program_id, cycle) REFERENCES program_cycles (program_id, cycle) ON DELETE CASCADE
);
CREATE UNIQUE INDEX program_evaluations_once ON program_evaluations (program_id, config_key);
CREATE INDEX program_evaluations_walk_forward ON program_evaluations (walk_forward_id);
