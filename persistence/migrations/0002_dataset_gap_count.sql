-- Listing datasets must not parse every dataset's gap list: keep the count.
ALTER TABLE datasets ADD COLUMN gap_count integer NOT NULL DEFAULT 0;
UPDATE datasets SET gap_count = jsonb_array_length(gaps);
