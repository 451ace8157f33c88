// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, Clone, Copy, Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "audit_outcome"))]
    pub struct AuditOutcome;

    #[derive(diesel::query_builder::QueryId, Clone, Copy, Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "call_source"))]
    pub struct CallSource;

    #[derive(diesel::query_builder::QueryId, Clone, Copy, Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "close_reason"))]
    pub struct CloseReason;

    #[derive(diesel::query_builder::QueryId, Clone, Copy, Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "consent_method"))]
    pub struct ConsentMethod;

    #[derive(diesel::query_builder::QueryId, Clone, Copy, Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "consent_scope"))]
    pub struct ConsentScope;

    #[derive(diesel::query_builder::QueryId, Clone, Copy, Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "crisis_type"))]
    pub struct CrisisType;

    #[derive(diesel::query_builder::QueryId, Clone, Copy, Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "department"))]
    pub struct Department;

    #[derive(diesel::query_builder::QueryId, Clone, Copy, Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "disposition"))]
    pub struct Disposition;

    #[derive(diesel::query_builder::QueryId, Clone, Copy, Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "enrollment_status"))]
    pub struct EnrollmentStatus;

    #[derive(diesel::query_builder::QueryId, Clone, Copy, Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "follow_up_method"))]
    pub struct FollowUpMethod;

    #[derive(diesel::query_builder::QueryId, Clone, Copy, Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "follow_up_status"))]
    pub struct FollowUpStatus;

    #[derive(diesel::query_builder::QueryId, Clone, Copy, Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "force_level"))]
    pub struct ForceLevel;

    #[derive(diesel::query_builder::QueryId, Clone, Copy, Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "mou_status"))]
    pub struct MouStatus;

    #[derive(diesel::query_builder::QueryId, Clone, Copy, Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "personnel_role"))]
    pub struct PersonnelRole;

    #[derive(diesel::query_builder::QueryId, Clone, Copy, Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "personnel_status"))]
    pub struct PersonnelStatus;

    #[derive(diesel::query_builder::QueryId, Clone, Copy, Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "referral_status"))]
    pub struct ReferralStatus;

    #[derive(diesel::query_builder::QueryId, Clone, Copy, Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "session_status"))]
    pub struct SessionStatus;

    #[derive(diesel::query_builder::QueryId, Clone, Copy, Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "user_role"))]
    pub struct UserRole;

    #[derive(diesel::query_builder::QueryId, Clone, Copy, Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "weapon"))]
    pub struct Weapon;
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::UserRole;

    api_keys (id) {
        id -> Uuid,
        name -> Text,
        prefix -> Text,
        digest -> Bytea,
        roles -> Array<UserRole>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        revoked_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::AuditOutcome;

    audit_events (id) {
        id -> Uuid,
        occurred_at -> Timestamptz,
        actor_user_id -> Nullable<Uuid>,
        actor_username -> Nullable<Text>,
        action -> Text,
        resource_type -> Text,
        resource_id -> Nullable<Text>,
        outcome -> AuditOutcome,
        ip -> Nullable<Text>,
        request_id -> Nullable<Uuid>,
        details -> Jsonb,
        actor_api_key_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    call_days (day) {
        day -> Date,
        calls -> Int8,
        mental_health_calls -> Int8,
        cit_on_scene -> Int8,
        arrests -> Int8,
        uses_of_force -> Int8,
        injuries -> Int8,
        er_transports -> Int8,
        involuntary_petitions -> Int8,
        referrals -> Int8,
        subject_injuries -> Int8,
        officer_injuries -> Int8,
        cit_arrests -> Int8,
        cit_uses_of_force -> Int8,
        cit_subject_injuries -> Int8,
        cit_officer_injuries -> Int8,
        cit_er_transports -> Int8,
        cit_involuntary_petitions -> Int8,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::CallSource;
    use super::sql_types::CrisisType;
    use super::sql_types::Disposition;
    use super::sql_types::ForceLevel;
    use super::sql_types::Weapon;

    calls (id) {
        id -> Uuid,
        source -> Text,
        incident_number -> Text,
        received_at -> Timestamptz,
        received_on -> Date,
        dispatched_at -> Nullable<Timestamptz>,
        arrived_at -> Nullable<Timestamptz>,
        cleared_at -> Nullable<Timestamptz>,
        call_type -> Nullable<Text>,
        call_type_description -> Nullable<Text>,
        priority -> Nullable<Text>,
        call_source -> Nullable<CallSource>,
        address -> Nullable<Text>,
        beat -> Nullable<Text>,
        district -> Nullable<Text>,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        mental_health -> Bool,
        crisis_types -> Array<CrisisType>,
        cit_requested -> Nullable<Bool>,
        subject_id -> Nullable<Uuid>,
        dispositions -> Array<Disposition>,
        force_level -> Nullable<ForceLevel>,
        subject_injured -> Nullable<Bool>,
        officer_injured -> Nullable<Bool>,
        weapon_involved -> Nullable<Weapon>,
        cit_on_scene -> Bool,
        content_digest -> Bytea,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        responders -> Jsonb,
    }
}

diesel::table! {
    certification_types (id) {
        id -> Uuid,
        code -> Text,
        name -> Text,
        issuer -> Text,
        counts_as_cit -> Bool,
        validity_months -> Nullable<Int4>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    certifications (id) {
        id -> Uuid,
        personnel_id -> Uuid,
        certification_type_id -> Uuid,
        certificate_number -> Text,
        issued_on -> Date,
        expires_on -> Nullable<Date>,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
        revoked_by -> Nullable<Uuid>,
        enrollment_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    courses (id) {
        id -> Uuid,
        code -> Text,
        title -> Text,
        hours -> Float8,
        provider -> Text,
        certification_type_id -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::EnrollmentStatus;

    enrollments (id) {
        id -> Uuid,
        session_id -> Uuid,
        personnel_id -> Uuid,
        status -> EnrollmentStatus,
        hours_credited -> Nullable<Float8>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::FollowUpMethod;
    use super::sql_types::FollowUpStatus;

    follow_ups (id) {
        id -> Uuid,
        subject_id -> Uuid,
        call_id -> Nullable<Uuid>,
        referral_id -> Nullable<Uuid>,
        assigned_to -> Nullable<Uuid>,
        due_at -> Timestamptz,
        method -> FollowUpMethod,
        status -> FollowUpStatus,
        outcome_note -> Nullable<Text>,
        scheduled_by_call -> Bool,
        transitions -> Jsonb,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Department;
    use super::sql_types::PersonnelRole;

    goals (id) {
        id -> Uuid,
        name -> Text,
        certification_type_ids -> Array<Uuid>,
        departments -> Array<Department>,
        roles -> Array<PersonnelRole>,
        include_designated_staff -> Bool,
        target_share -> Float8,
        start_date -> Date,
        deadline -> Date,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    login_addresses (ip) {
        ip -> Text,
        attempts -> Array<Timestamptz>,
        last_at -> Timestamptz,
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
    partner_services (id) {
        id -> Uuid,
        partner_id -> Uuid,
        position -> Int4,
        name -> Text,
        description -> Text,
        categories -> Array<Text>,
        eligibility -> Nullable<Text>,
        hours -> Nullable<Text>,
        accepts_referrals -> Bool,
        withdrawn_at -> Nullable<Timestamptz>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::MouStatus;

    partners (id) {
        id -> Uuid,
        name -> Text,
        description -> Text,
        website -> Nullable<Text>,
        email -> Nullable<Text>,
        phones -> Jsonb,
        address -> Nullable<Jsonb>,
        mou_status -> MouStatus,
        active -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Department;
    use super::sql_types::PersonnelRole;
    use super::sql_types::PersonnelStatus;

    personnel (id) {
        id -> Uuid,
        employee_number -> Text,
        first_name -> Text,
        last_name -> Text,
        department -> Department,
        role -> PersonnelRole,
        rank -> Nullable<Text>,
        shift -> Nullable<Text>,
        hire_date -> Date,
        separation_date -> Nullable<Date>,
        status -> PersonnelStatus,
        designated_staff -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::ConsentMethod;
    use super::sql_types::ConsentScope;
    use super::sql_types::ReferralStatus;
    use super::sql_types::CloseReason;

    referrals (id) {
        id -> Uuid,
        subject_id -> Uuid,
        call_id -> Nullable<Uuid>,
        partner_id -> Uuid,
        service_id -> Nullable<Uuid>,
        need -> Text,
        consent_method -> ConsentMethod,
        consent_scope -> ConsentScope,
        contact -> Nullable<Jsonb>,
        referred_by -> Uuid,
        status -> ReferralStatus,
        sent_at -> Timestamptz,
        acknowledged_at -> Nullable<Timestamptz>,
        engaged_at -> Nullable<Timestamptz>,
        closed_at -> Nullable<Timestamptz>,
        close_reason -> Nullable<CloseReason>,
        transitions -> Jsonb,
        created_by -> Uuid,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
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
    subjects (id) {
        id -> Uuid,
        source -> Text,
        external_id -> Text,
        year_of_birth -> Nullable<Int4>,
        veteran -> Nullable<Bool>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::SessionStatus;

    training_sessions (id) {
        id -> Uuid,
        course_id -> Uuid,
        starts_on -> Date,
        ends_on -> Date,
        location -> Text,
        instructor -> Nullable<Text>,
        capacity -> Int4,
        status -> SessionStatus,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::UserRole;

    users (id) {
        id -> Uuid,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        roles -> Array<UserRole>,
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

diesel::joinable!(calls -> subjects (subject_id));
diesel::joinable!(certifications -> certification_types (certification_type_id));
diesel::joinable!(certifications -> enrollments (enrollment_id));
diesel::joinable!(certifications -> personnel (personnel_id));
diesel::joinable!(certifications -> users (revoked_by));
diesel::joinable!(courses -> certification_types (certification_type_id));
diesel::joinable!(enrollments -> personnel (personnel_id));
diesel::joinable!(enrollments -> training_sessions (session_id));
diesel::joinable!(follow_ups -> calls (call_id));
diesel::joinable!(follow_ups -> personnel (assigned_to));
diesel::joinable!(follow_ups -> referrals (referral_id));
diesel::joinable!(follow_ups -> subjects (subject_id));
diesel::joinable!(login_failures -> users (user_id));
diesel::joinable!(partner_services -> partners (partner_id));
diesel::joinable!(referrals -> calls (call_id));
diesel::joinable!(referrals -> partner_services (service_id));
diesel::joinable!(referrals -> partners (partner_id));
diesel::joinable!(referrals -> personnel (referred_by));
diesel::joinable!(referrals -> subjects (subject_id));
diesel::joinable!(referrals -> users (created_by));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(training_sessions -> courses (course_id));
diesel::joinable!(users -> partners (partner_id));
diesel::joinable!(users -> personnel (personnel_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_keys,
    audit_events,
    call_days,
    calls,
    certification_types,
    certifications,
    courses,
    enrollments,
    follow_ups,
    goals,
    login_addresses,
    login_failures,
    partner_services,
    partners,
    personnel,
    referrals,
    refresh_tokens,
    subjects,
    training_sessions,
    users,
);
