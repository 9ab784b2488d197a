-- Failed logins are counted by (client address, user name), by address and by user name
-- (decision 0019), so a stranger's failures from one address slow that address down instead of
-- locking the account. Failures before this migration have no address (''). The index on `at`
-- serves the removal of failures older than the window. Keep in step with the other backend's 0016.
ALTER TABLE login_failures ADD COLUMN address TEXT NOT NULL DEFAULT '';
CREATE INDEX login_failures_address_at ON login_failures (address, at);
CREATE INDEX login_failures_at ON login_failures (at);
