-- Warnings of a completed run (all signals skipped, ...), as a JSON array.
ALTER TABLE runs ADD COLUMN warnings_json text NOT NULL DEFAULT '[]';
