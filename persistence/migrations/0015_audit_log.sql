-- The audit log: append-only, hash-chained (domain/report/audit_chain.hpp).
-- Every state-changing action writes its entry in the transaction of the
-- change; audit_head holds the chain's last sequence number and hash, its
-- row lock orders concurrent writers. Hashes are lowercase hex.
CREATE TABLE audit_log (
  seq           bigint PRIMARY KEY,
  at_ms         bigint NOT NULL,
  actor         text NOT NULL,
  actor_user_id bigint,
  actor_key_id  bigint,
  action        text NOT NULL,
  object        text NOT NULL,
  details       text NOT NULL,
  trace_id      text NOT NULL,
  prev_hash     text NOT NULL,
  hash          text NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at_ms, seq);
CREATE INDEX audit_log_actor_at ON audit_log (actor, at_ms, seq);
CREATE INDEX audit_log_action_at ON audit_log (action, at_ms, seq);
CREATE INDEX audit_log_object_at ON audit_log (object, at_ms, seq);

CREATE TABLE audit_head (
  one  boolean PRIMARY KEY DEFAULT true CHECK (one),
  seq  bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_head VALUES (true, 0, repeat('0', 64));

-- What a purge of expired entries leaves: the last removed entry's hash,
-- signed with the server's audit key, so the chain verifies from there.
CREATE TABLE audit_checkpoints (
  seq       bigint PRIMARY KEY,
  hash      text NOT NULL,
  at_ms     bigint NOT NULL,
  removed   bigint NOT NULL,
  signature text NOT NULL
);

-- No UPDATE, no TRUNCATE; a DELETE only of entries a checkpoint already
-- covers (the retention purge writes the checkpoint first). Checkpoints
-- themselves are never changed or removed.
CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_log'
     AND EXISTS (SELECT 1 FROM audit_checkpoints WHERE seq >= OLD.seq) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard();
