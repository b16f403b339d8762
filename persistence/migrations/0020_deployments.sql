-- Paper deployments: a program's promoted configurations run forward on
-- its data as bars arrive. A deployment is stored as what recomputes it
-- (configuration, warm-up start, deployment time, the size changes its
-- rules made, the day it ended) with the latest figures for dashboards;
-- its equity and trades are recomputed from the bars when read.
CREATE TABLE deployments (
  id               uuid PRIMARY KEY,
  program_id       uuid NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
  identity         text NOT NULL,          -- strategy, newline, canonical parameters
  strategy         text NOT NULL,
  params_json      text NOT NULL,
  walk_forward_id  text NOT NULL,          -- the evaluation that promoted it
  cycle            integer NOT NULL,
  score            double precision NOT NULL,
  expected_sharpe  double precision NOT NULL,
  capital          text NOT NULL,          -- exact decimal
  history_from     timestamptz NOT NULL,
  deployed_at      timestamptz NOT NULL,   -- market-data time; it trades from the next day
  status           text NOT NULL CHECK (status IN ('active', 'rolled_back', 'demoted', 'deactivated')),
  ended_at         timestamptz,            -- market-data day it stopped trading
  end_reason       text,
  sizing_json      text NOT NULL DEFAULT '[]',
  risk_json        text NOT NULL DEFAULT '{}',
  judged_through   timestamptz,
  data_checksum    text NOT NULL DEFAULT '',
  summary_json     text NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deployments_program ON deployments (program_id, status);
CREATE UNIQUE INDEX deployments_one_active ON deployments (program_id, identity)
  WHERE status = 'active';

-- What the rules and the gate raised: drawdown, drift, rollback, a
-- redundant or capped candidate, a demotion, an override.
CREATE TABLE deployment_alerts (
  id             bigserial PRIMARY KEY,
  program_id     uuid NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
  deployment_id  uuid REFERENCES deployments(id) ON DELETE CASCADE,
  kind           text NOT NULL,
  day            timestamptz NOT NULL,
  value          double precision,
  limit_value    double precision,
  message        text NOT NULL,
  details_json   text NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deployment_alerts_program ON deployment_alerts (program_id, id);
