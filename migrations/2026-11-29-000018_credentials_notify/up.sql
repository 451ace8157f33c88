-- Each instance caches who a credential is (auth::cache) and must forget it the moment the
-- database changes it, whoever changed it: another instance, `cit-api unlock-user`, plain SQL.
-- These triggers NOTIFY cit_credentials with the principal (`user:<id>` or `key:<id>`); the
-- notification is delivered at commit, and only if the transaction commits.
CREATE FUNCTION notify_credentials_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    principal text;
BEGIN
    -- One branch per table: PL/pgSQL plans each expression against OLD's own row type.
    IF TG_TABLE_NAME = 'refresh_tokens' THEN
        principal := 'user:' || OLD.user_id;
    ELSIF TG_TABLE_NAME = 'api_keys' THEN
        principal := 'key:' || OLD.id;
    ELSE
        principal := 'user:' || OLD.id;
    END IF;
    PERFORM pg_notify('cit_credentials', principal);
    RETURN NULL;
END
$$;

-- What a cached caller holds (name, roles, links) or what ends it (disabled, locked).
CREATE TRIGGER users_credentials_changed
    AFTER UPDATE OF username, roles, personnel_id, partner_id, disabled, locked_at OR DELETE
    ON users FOR EACH ROW EXECUTE FUNCTION notify_credentials_changed();

-- A session ends when its tokens are revoked (logout, password change, re-use) or deleted.
CREATE TRIGGER refresh_tokens_credentials_changed
    AFTER UPDATE OF revoked_at, family_expires_at OR DELETE
    ON refresh_tokens FOR EACH ROW EXECUTE FUNCTION notify_credentials_changed();

-- A key ends when revoked; its roles and name are cached. Not its `last_used_at`.
CREATE TRIGGER api_keys_credentials_changed
    AFTER UPDATE OF name, roles, revoked_at OR DELETE
    ON api_keys FOR EACH ROW EXECUTE FUNCTION notify_credentials_changed();

-- TRUNCATE fires no row triggers: forget everything.
CREATE FUNCTION notify_credentials_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('cit_credentials', 'all');
    RETURN NULL;
END
$$;

CREATE TRIGGER users_truncated AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_credentials_truncated();
CREATE TRIGGER refresh_tokens_truncated AFTER TRUNCATE ON refresh_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION notify_credentials_truncated();
CREATE TRIGGER api_keys_truncated AFTER TRUNCATE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION notify_credentials_truncated();
