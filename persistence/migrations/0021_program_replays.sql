-- Replays of a program's promotion process over past data: queued by a
-- request, run one at a time by the server's replay thread (a restart
-- puts a running one back in the queue), their result kept as JSON.
CREATE TABLE program_replays (
  id            uuid PRIMARY KEY,
  program_id    uuid NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
  range_from    timestamptz NOT NULL,
  range_to      timestamptz NOT NULL,
  status        text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  cycles_done   integer NOT NULL DEFAULT 0,
  cycles_total  integer NOT NULL DEFAULT 0,
  result_json   text,
  error         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz
);
CREATE INDEX program_replays_program ON program_replays (program_id, created_at DESC);
CREATE INDEX program_replays_queued ON program_replays (created_at) WHERE status = 'queued';
