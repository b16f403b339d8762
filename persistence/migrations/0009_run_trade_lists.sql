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
-- Every completed run gets a document; one without trades, the header alone.
INSERT INTO run_trade_lists (run_id, trades, csv)
SELECT r.id, count(t.run_id),
       'trade_id,side,entry_time,exit_time,entry_price,exit_price,quantity,pnl,pnl_pct,'
       'stop_price,target_price,initial_risk,r_multiple,mae,mfe,holding_bars,fill_type,'
       'exit_reason,commission,zone_id,zone_type,zone_strength' || E'\n'
       || coalesce(string_agg(concat_ws(',', t.trade_id, t.side,
                                        to_char(t.entry_time AT TIME ZONE 'UTC',
                                                'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                        to_char(t.exit_time AT TIME ZONE 'UTC',
                                                'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                        t.entry_price, t.exit_price, t.quantity, t.pnl, t.pnl_pct,
                                        coalesce(t.stop_price::text, ''),
                                        coalesce(t.target_price::text, ''),
                                        coalesce(t.initial_risk::text, ''),
                                        coalesce(t.r_multiple::text, ''), t.mae, t.mfe,
                                        t.holding_bars, t.fill_type, t.exit_reason, t.commission,
                                        coalesce(t.zone_id::text, ''), coalesce(t.zone_type, ''),
                                        coalesce(t.zone_strength::text, '')) || E'\n',
                              '' ORDER BY t.trade_id) FILTER (WHERE t.run_id IS NOT NULL),
                   '')
FROM runs r LEFT JOIN run_trades t ON t.run_id = r.id
WHERE r.status = 'completed' OR t.run_id IS NOT NULL
GROUP BY r.id;

DROP TRIGGER runs_delete_trades ON runs;
DROP FUNCTION delete_trades_of_deleted_runs();
DROP TABLE run_trades;
