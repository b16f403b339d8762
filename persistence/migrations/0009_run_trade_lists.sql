-- A run's trades as one document per run, the exact trades.csv export, as
-- its zones and equity curve already are. Completing a two-year zones run
-- COPYed ~250 rows of 23 columns (a third of the store transaction, most of
-- it the client escaping every field and the server inserting and indexing
-- every row); one compressed document costs well under a millisecond. The
-- trades endpoint filters, sorts and pages the list in memory: a run's
-- trades are at most one per bar and always read for one run.
CREATE TABLE run_trade_lists (
  run_id  uuid PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  trades  integer NOT NULL,
  csv     text COMPRESSION lz4 NOT NULL
);

-- float8 must print exactly whatever the server's setting (1 is the default).
SET LOCAL extra_float_digits = 1;
SET LOCAL TimeZone = 'UTC';

-- The stored rows become the same text the CSV writer writes: numeric(20,8)
-- and numeric(24,8) print with exactly 8 decimals, float8 prints the
-- shortest text that reads back exactly, an absent value is an empty field.
INSERT INTO run_trade_lists (run_id, trades, csv)
SELECT run_id, count(*),
       'trade_id,side,entry_time,exit_time,entry_price,exit_price,quantity,pnl,pnl_pct,'
       'stop_price,target_price,initial_risk,r_multiple,mae,mfe,holding_bars,fill_type,'
       'exit_reason,commission,zone_id,zone_type,zone_strength' || E'\n'
       || string_agg(concat_ws(',', trade_id, side,
                               to_char(entry_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                               to_char(exit_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                               entry_price, exit_price, quantity, pnl, pnl_pct,
                               coalesce(stop_price::text, ''), coalesce(target_price::text, ''),
                               coalesce(initial_risk::text, ''), coalesce(r_multiple::text, ''),
                               mae, mfe, holding_bars, fill_type, exit_reason, commission,
                               coalesce(zone_id::text, ''), coalesce(zone_type, ''),
                               coalesce(zone_strength::text, '')) || E'\n',
                     '' ORDER BY trade_id)
FROM run_trades GROUP BY run_id;

-- A completed run without trades has a document too: the header alone.
INSERT INTO run_trade_lists (run_id, trades, csv)
SELECT r.id, 0,
       'trade_id,side,entry_time,exit_time,entry_price,exit_price,quantity,pnl,pnl_pct,'
       'stop_price,target_price,initial_risk,r_multiple,mae,mfe,holding_bars,fill_type,'
       'exit_reason,commission,zone_id,zone_type,zone_strength' || E'\n'
FROM runs r
WHERE r.status = 'completed' AND NOT EXISTS (SELECT 1 FROM run_trade_lists l WHERE l.run_id = r.id);

DROP TRIGGER runs_delete_trades ON runs;
DROP FUNCTION delete_trades_of_deleted_runs();
DROP TABLE run_trades;
