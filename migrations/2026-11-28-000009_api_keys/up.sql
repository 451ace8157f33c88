-- API keys for machine clients (the records management system). A key is shown once when it is
-- made; only its SHA-256 digest is kept, and its prefix to tell keys apart in lists.
CREATE TABLE api_keys (
    id           uuid PRIMARY KEY,
    name         text NOT NULL,
    prefix       text NOT NULL,
    digest       bytea NOT NULL,
    roles        user_role[] NOT NULL,
    created_by   uuid REFERENCES users (id),
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    revoked_by   uuid REFERENCES users (id),
    CONSTRAINT api_keys_prefix_key UNIQUE (prefix),
    CONSTRAINT api_keys_digest_key UNIQUE (digest),
    CONSTRAINT api_keys_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT api_keys_roles_not_empty CHECK (cardinality(roles) > 0),
    CONSTRAINT api_keys_roles_no_null CHECK (array_position(roles, NULL) IS NULL),
    CONSTRAINT api_keys_revocation_complete CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
-- Two live keys may not share a name; a revoked key's name can be given to its successor.
CREATE UNIQUE INDEX api_keys_live_name_key ON api_keys (name) WHERE revoked_at IS NULL;

-- Who did it, when a key did: the key (its name goes in actor_username).
ALTER TABLE audit_events ADD COLUMN actor_api_key_id uuid;
CREATE INDEX audit_events_api_key_idx ON audit_events (actor_api_key_id, id)
    WHERE actor_api_key_id IS NOT NULL;
