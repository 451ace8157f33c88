//! Diesel table definitions, kept in step with `migrations/` by hand (the drift is caught by the
//! integration tests, which run every query against the migrated schema).

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::enums::UserRoleType;

    users (id) {
        id -> Uuid,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        roles -> Array<UserRoleType>,
        personnel_id -> Nullable<Uuid>,
        partner_id -> Nullable<Uuid>,
        disabled -> Bool,
        locked_at -> Nullable<Timestamptz>,
        password_changed_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        family_id -> Uuid,
        user_id -> Uuid,
        token_hash -> Bytea,
        issued_at -> Timestamptz,
        expires_at -> Timestamptz,
        family_expires_at -> Timestamptz,
        rotated_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Int8,
        user_id -> Uuid,
        failed_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::enums::AuditOutcomeType;

    audit_events (id) {
        id -> Uuid,
        occurred_at -> Timestamptz,
        actor_user_id -> Nullable<Uuid>,
        actor_username -> Nullable<Text>,
        action -> Text,
        resource_type -> Text,
        resource_id -> Nullable<Text>,
        outcome -> AuditOutcomeType,
        ip -> Nullable<Text>,
        request_id -> Nullable<Uuid>,
        details -> Jsonb,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(login_failures -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(users, refresh_tokens, login_failures, audit_events);
