-- Completing a run COPYs its trades (about 250 for two years of hourly
-- zones): the foreign key to runs ran one referential check per row, about
-- 40% of the COPY's time in the database. The transaction that inserts them
-- has just locked the run's row (complete_run's SELECT ... FOR UPDATE on a
-- running attempt), so the check can never fail there; the key's other duty,
-- deleting trades with their run, is kept by one statement-level trigger over
-- the deleted rows (a run's own DELETE and the cascade from its user alike).
ALTER TABLE run_trades DROP CONSTRAINT run_trades_run_id_fkey;

CREATE FUNCTION delete_trades_of_deleted_runs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM run_trades t USING deleted_runs d WHERE t.run_id = d.id;
  RETURN NULL;
END;
$$;

CREATE TRIGGER runs_delete_trades AFTER DELETE ON runs
  REFERENCING OLD TABLE AS deleted_runs
  FOR EACH STATEMENT EXECUTE FUNCTION delete_trades_of_deleted_runs();

-- Trades whose run is already gone (none should exist) go now.
DELETE FROM run_trades t WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = t.run_id);
