-- Why a cycle ran (a person, the schedule, or a regime trigger) and when
-- the data that triggered it arrived: the time from that upload to the
-- cycle's scorecard is the re-evaluation latency the programs report.
ALTER TABLE program_cycles ADD COLUMN reason text NOT NULL DEFAULT 'manual'
  CHECK (reason IN ('manual', 'schedule', 'regime_change', 'volatility_change'));
ALTER TABLE program_cycles ADD COLUMN triggered_at timestamptz;
