-- Accounts, their refresh-token families and recent failed logins (for lockout).

CREATE TYPE user_role AS ENUM (
    'admin', 'coordinator', 'clinician', 'supervisor', 'analyst', 'auditor', 'integration', 'partner'
);

CREATE TABLE users (
    id                  uuid PRIMARY KEY,
    username            text NOT NULL,
    display_name        text NOT NULL,
    password_hash       text NOT NULL,
    roles               user_role[] NOT NULL,
    personnel_id        uuid,
    partner_id          uuid,
    disabled            boolean NOT NULL DEFAULT false,
    locked_at           timestamptz,
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             integer NOT NULL DEFAULT 1,
    CONSTRAINT users_username_key UNIQUE (username),
    CONSTRAINT users_username_lowercase CHECK (username = lower(username)),
    CONSTRAINT users_roles_not_empty CHECK (cardinality(roles) > 0),
    CONSTRAINT users_partner_needs_partner_id
        CHECK (NOT ('partner' = ANY (roles)) OR partner_id IS NOT NULL)
);

-- One row per rotation step. Only the SHA-256 of a token is stored.
CREATE TABLE refresh_tokens (
    id                uuid PRIMARY KEY,
    family_id         uuid NOT NULL,
    user_id           uuid NOT NULL REFERENCES users (id),
    token_hash        bytea NOT NULL,
    issued_at         timestamptz NOT NULL,
    -- min(issued_at + idle timeout, family_expires_at)
    expires_at        timestamptz NOT NULL,
    family_expires_at timestamptz NOT NULL,
    rotated_at        timestamptz,
    revoked_at        timestamptz,
    CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_live_by_user_idx ON refresh_tokens (user_id) WHERE revoked_at IS NULL;

-- Failed logins of the current lockout window; cleared on success and on unlock.
CREATE TABLE login_failures (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id   uuid NOT NULL REFERENCES users (id),
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_user_idx ON login_failures (user_id, failed_at);
