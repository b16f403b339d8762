-- Five roles with separate permissions (services/permissions.cpp): viewer
-- reads its own data and results, analyst also submits and cancels, trader
-- (the default) also uploads and deletes market data, auditor reads the
-- audit log, admin operates the service. Existing keys keep their role.
ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check
  CHECK (role IN ('viewer', 'analyst', 'trader', 'auditor', 'admin'));
