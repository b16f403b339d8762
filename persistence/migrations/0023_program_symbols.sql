-- A program may evaluate several symbols: each evaluation and deployment
-- names its own ('' in rows written before: the program's symbol).
ALTER TABLE program_evaluations ADD COLUMN symbol text NOT NULL DEFAULT '';
ALTER TABLE deployments ADD COLUMN symbol text NOT NULL DEFAULT '';
