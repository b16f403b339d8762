-- A run's trace: its submission's span as a W3C traceparent, so that the
-- queue wait, every attempt (on any worker or node), the engine run and
-- the result storage join the trace of the request that submitted it,
-- even after a restart.
ALTER TABLE runs ADD COLUMN trace_parent text;
