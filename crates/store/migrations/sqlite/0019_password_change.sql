-- An administrator may require a user to change their password at the next login (and resetting
-- a password requires it); until the user has changed it, pages lead only to the change-password
-- page and the API answers 403 password_change_required (decision 0025). Existing accounts are
-- not required to. Keep in step with the other backend's 0019.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
