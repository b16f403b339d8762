-- A program may also run a cycle on every upload that extends its data.
ALTER TABLE program_cycles DROP CONSTRAINT program_cycles_reason_check;
ALTER TABLE program_cycles ADD CONSTRAINT program_cycles_reason_check
  CHECK (reason IN ('manual', 'schedule', 'regime_change', 'volatility_change', 'upload'));
