DROP TRIGGER api_keys_truncated ON api_keys;
DROP TRIGGER refresh_tokens_truncated ON refresh_tokens;
DROP TRIGGER users_truncated ON users;
DROP FUNCTION notify_credentials_truncated();
DROP TRIGGER api_keys_credentials_changed ON api_keys;
DROP TRIGGER refresh_tokens_credentials_changed ON refresh_tokens;
DROP TRIGGER users_credentials_changed ON users;
DROP FUNCTION notify_credentials_changed();
