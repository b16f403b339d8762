-- A run's equity curve as columns (persistence/equity_blob.hpp) instead of
-- its CSV text: formatting and storing 600 KB of uncompressed CSV was a
-- third of the transaction that completes a two-year run. The CSV export is
-- written from the decoded curve, byte for byte the text stored before.
ALTER TABLE run_equity ADD COLUMN curve bytea;
ALTER TABLE run_equity ALTER COLUMN curve SET STORAGE EXTENDED;
ALTER TABLE run_equity ALTER COLUMN curve SET COMPRESSION lz4;

SET LOCAL TimeZone = 'UTC';

-- Each stored line time,equity,drawdown_pct becomes its three values; the
-- decimal text has at most 8 decimals and float8 input is correctly rounded,
-- so every value is exactly the one the curve held.
WITH points AS (
  SELECT e.run_id, p.ord,
         extract(epoch FROM split_part(p.line, ',', 1)::timestamptz)::bigint AS t,
         (split_part(p.line, ',', 2)::numeric * 100000000)::bigint AS units,
         split_part(p.line, ',', 3)::float8 AS drawdown
  FROM run_equity e, regexp_split_to_table(e.csv, E'\n') WITH ORDINALITY AS p(line, ord)
  WHERE p.ord > 1 AND p.line <> ''
), steps AS (
  SELECT run_id, ord, t - lag(t, 1, 0::bigint) OVER (PARTITION BY run_id ORDER BY ord) AS step,
         units, drawdown
  FROM points
), curves AS (
  SELECT run_id,
         string_agg(int8send(step), ''::bytea ORDER BY ord)
           || string_agg(int8send(units), ''::bytea ORDER BY ord)
           || string_agg(float8send(drawdown), ''::bytea ORDER BY ord) AS curve
  FROM steps GROUP BY run_id
)
UPDATE run_equity e SET curve = c.curve FROM curves c WHERE e.run_id = c.run_id;

UPDATE run_equity SET curve = ''::bytea WHERE curve IS NULL; -- curves without a point
ALTER TABLE run_equity ALTER COLUMN curve SET NOT NULL;
ALTER TABLE run_equity DROP COLUMN csv;
