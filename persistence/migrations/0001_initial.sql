-- Users, API keys and market data.
CREATE TABLE users (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  role        text NOT NULL CHECK (role IN ('trader', 'admin')),
  tier        text NOT NULL CHECK (tier IN ('free', 'pro')),
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Only a SHA-256 of each key is stored; the prefix helps people recognise a key.
CREATE TABLE api_keys (
  id          bigserial PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  key_hash    text NOT NULL UNIQUE, -- lowercase hex SHA-256
  prefix      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

CREATE TABLE datasets (
  id          bigserial PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  symbol      text NOT NULL,
  timeframe   text NOT NULL,
  bars        bigint NOT NULL DEFAULT 0,
  first_bar   timestamptz,
  last_bar    timestamptz,
  checksum    text NOT NULL DEFAULT '',
  gaps        jsonb NOT NULL DEFAULT '[]',
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, symbol, timeframe)
);

-- Prices exactly to 8 decimals.
CREATE TABLE bars (
  dataset_id  bigint NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  ts          timestamptz NOT NULL,
  open        numeric(20, 8) NOT NULL,
  high        numeric(20, 8) NOT NULL,
  low         numeric(20, 8) NOT NULL,
  close       numeric(20, 8) NOT NULL,
  volume      numeric(24, 8) NOT NULL,
  PRIMARY KEY (dataset_id, ts)
);
