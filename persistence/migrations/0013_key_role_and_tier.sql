-- A key's role and tier belong to the key, not to its user: `keys create`
-- for an existing user issues a key with the role and tier asked for and
-- leaves the user's other keys as they are, and `keys set-tier` and
-- `keys set-role` change one key. Existing keys keep their user's. The tier
-- decides the key's hourly submission quota (free, pro, enterprise).
ALTER TABLE api_keys ADD COLUMN role text, ADD COLUMN tier text;
UPDATE api_keys k SET role = u.role, tier = u.tier FROM users u WHERE u.id = k.user_id;
ALTER TABLE api_keys
  ALTER COLUMN role SET NOT NULL,
  ALTER COLUMN tier SET NOT NULL,
  ADD CONSTRAINT api_keys_role_check CHECK (role IN ('trader', 'admin')),
  ADD CONSTRAINT api_keys_tier_check CHECK (tier IN ('free', 'pro', 'enterprise'));
ALTER TABLE users DROP COLUMN role, DROP COLUMN tier;
