-- Bars move from one numeric row each to one columnar chunk per dataset and
-- calendar month (UTC): see persistence/bar_chunks.hpp for the layout (6 × n
-- big-endian int64: times, then open, high, low, close and volume in 1e-8
-- units). A 100,000-row upload writes ~140 rows instead of 100,000 rows and
-- their index entries.
CREATE TABLE bar_chunks (
  dataset_id  bigint NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  month_start bigint NOT NULL,           -- Unix seconds of the month's first instant, UTC
  bars        integer NOT NULL CHECK (bars > 0),
  columns     bytea NOT NULL CHECK (length(columns) = 48 * bars),
  PRIMARY KEY (dataset_id, month_start)
);
-- Out of line and uncompressed: compressing every chunk on write and
-- decompressing it on every read costs more than the disk it saves.
ALTER TABLE bar_chunks ALTER COLUMN columns SET STORAGE EXTERNAL;

INSERT INTO bar_chunks (dataset_id, month_start, bars, columns)
SELECT dataset_id,
       extract(epoch FROM date_trunc('month', ts AT TIME ZONE 'UTC'))::bigint,
       count(*),
       string_agg(int8send(extract(epoch FROM ts)::bigint), ''::bytea ORDER BY ts)
         || string_agg(int8send((open * 100000000)::bigint), ''::bytea ORDER BY ts)
         || string_agg(int8send((high * 100000000)::bigint), ''::bytea ORDER BY ts)
         || string_agg(int8send((low * 100000000)::bigint), ''::bytea ORDER BY ts)
         || string_agg(int8send((close * 100000000)::bigint), ''::bytea ORDER BY ts)
         || string_agg(int8send((volume * 100000000)::bigint), ''::bytea ORDER BY ts)
FROM bars
GROUP BY 1, 2;

DROP TABLE bars;
