-- History pages in index order: the newest first (created_at, id as the tie
-- breaker), and each sortable summary metric, best first, so that a page
-- of a user with 200,000 runs reads 50 index entries instead of sorting
-- them all.
DROP INDEX IF EXISTS runs_user_created;
CREATE INDEX runs_user_created ON runs (user_id, created_at DESC, id DESC);
CREATE INDEX runs_user_sharpe ON runs (user_id, sharpe_ratio DESC NULLS LAST, created_at DESC, id DESC);
CREATE INDEX runs_user_net_profit ON runs (user_id, net_profit DESC NULLS LAST, created_at DESC, id DESC);
CREATE INDEX runs_user_total_return ON runs (user_id, total_return_pct DESC NULLS LAST, created_at DESC, id DESC);
CREATE INDEX runs_user_max_drawdown ON runs (user_id, max_drawdown_pct DESC NULLS LAST, created_at DESC, id DESC);
CREATE INDEX runs_user_win_rate ON runs (user_id, win_rate DESC NULLS LAST, created_at DESC, id DESC);
CREATE INDEX runs_user_profit_factor ON runs (user_id, profit_factor DESC NULLS LAST, created_at DESC, id DESC);
CREATE INDEX runs_user_total_trades ON runs (user_id, total_trades DESC NULLS LAST, created_at DESC, id DESC);
