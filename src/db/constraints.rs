//! What each named constraint of the schema means to a caller. A violation the caller caused
//! becomes a 409 (unique) or a 422 naming the field (check, foreign key); one only a bug can
//! cause is an internal error. Every constraint in `pg_constraint` has an entry here, and a
//! test (`tests/api/errors.rs`) fails when a migration adds one without it.

/// What a constraint's violation says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
    /// The request broke it: the field it concerns and what to tell the caller.
    Caller {
        /// Field of the request.
        field: &'static str,
        /// Message for the caller.
        message: &'static str,
    },
    /// Only the service itself could break it: a bug, answered 500 and logged.
    Internal,
}

const fn caller(field: &'static str, message: &'static str) -> Option<Constraint> {
    Some(Constraint::Caller { field, message })
}

/// The entry of a constraint, or `None` for a name the table does not know.
pub fn describe(name: &str) -> Option<Constraint> {
    match name {
        "users_username_key" => caller("username", "a user with this username already exists"),
        "calls_latitude_range" => caller("location.latitude", "must be between -90 and 90"),
        "calls_longitude_range" => caller("location.longitude", "must be between -180 and 180"),
        "calls_coordinates_paired" => caller(
            "location",
            "latitude and longitude go together: give both or neither",
        ),
        "subjects_year_of_birth_range" => {
            caller("subject.year_of_birth", "must be between 1900 and 2100")
        }
        "api_keys_live_name_key" => caller("name", "a live API key with this name already exists"),
        "api_keys_name_not_blank" => caller("name", "must not be blank"),
        "api_keys_roles_not_empty" => caller("roles", "at least one role is required"),
        "users_partner_needs_partner_id" => caller(
            "partner_id",
            "a user with the partner role must be linked to a partner",
        ),
        "users_roles_not_empty" => caller("roles", "at least one role is required"),
        "users_partner_id_fkey" => caller("partner_id", "no partner with this id"),
        "partners_name_key" => caller("name", "a partner with this name already exists"),
        "partners_name_not_blank" => caller("name", "must not be blank"),
        "partner_services_name_not_blank" => caller("services", "a service's name must not be blank"),
        "referrals_subject_id_fkey" | "follow_ups_subject_id_fkey" => {
            caller("subject_id", "no subject with this id")
        }
        "referrals_referred_by_fkey" => caller("referred_by", "no personnel record with this id"),
        "follow_ups_assigned_to_fkey" => caller("assigned_to", "no personnel record with this id"),
        "referrals_need_not_blank" => caller("need", "must not be blank"),
        "users_personnel_id_fkey"
        | "enrollments_personnel_id_fkey"
        | "certifications_personnel_id_fkey" => {
            caller("personnel_id", "no personnel record with this id")
        }
        "personnel_employee_number_key" => caller(
            "employee_number",
            "a person with this employee number already exists",
        ),
        "personnel_separation_after_hire" => {
            caller("separation_date", "must be on or after the hire date")
        }
        "personnel_separated_iff_dated" => caller(
            "status",
            "a separated person has a separation date, and only a separated one",
        ),
        "certification_types_code_key" => {
            caller("code", "a certification type with this code already exists")
        }
        "certification_types_validity_positive" => caller("validity_months", "must be at least 1"),
        "courses_code_key" => caller("code", "a course with this code already exists"),
        "courses_hours_positive" => caller("hours", "must be more than 0"),
        "courses_certification_type_id_fkey" | "certifications_certification_type_id_fkey" => {
            caller(
                "certification_type_id",
                "no certification type with this id",
            )
        }
        "training_sessions_course_id_fkey" => caller("course_id", "no course with this id"),
        "training_sessions_dates_ordered" => caller("ends_on", "must be on or after starts_on"),
        "training_sessions_capacity_positive" => caller("capacity", "must be at least 1"),
        "enrollments_session_id_fkey" => caller("session_id", "no training session with this id"),
        "enrollments_session_personnel_key" => caller(
            "personnel_id",
            "this person is already enrolled in this session",
        ),
        "enrollments_hours_not_negative" => caller("hours_credited", "must not be negative"),
        "certifications_number_key" => caller(
            "certificate_number",
            "a certificate of this type with this number is already recorded",
        ),
        "certifications_expiry_after_issue" => caller("expires_on", "must be after issued_on"),
        "goals_deadline_after_start" => caller("deadline", "must be after start_date"),
        "goals_target_share_range" => caller("target_share", "must be between 0 and 1"),
        "goals_types_not_empty" => caller(
            "certification_type_ids",
            "at least one certification type is required",
        ),
        // Kept by the service itself: usernames are lower-cased, revocations carry their
        // reason, one certificate per enrollment, tokens and failures belong to real users.
        "users_username_lowercase"
        | "certifications_revocation_has_reason"
        | "certifications_enrollment_key"
        | "certifications_enrollment_id_fkey"
        | "certifications_revoked_by_fkey"
        | "refresh_tokens_token_hash_key"
        | "refresh_tokens_user_id_fkey"
        | "login_failures_user_id_fkey"
        | "login_addresses_attempts_no_null"
        // JSON cannot carry a null into these arrays; only a bug could.
        | "users_roles_no_null"
        | "goals_types_no_null"
        | "goals_departments_no_null"
        | "goals_roles_no_null"
        | "api_keys_prefix_key"
        | "api_keys_digest_key"
        | "api_keys_roles_no_null"
        | "api_keys_revocation_complete"
        | "api_keys_created_by_fkey"
        | "api_keys_revoked_by_fkey"
        // Ingest validates, upserts on the keys and links responders itself.
        | "calls_source_incident_number_key"
        | "calls_subject_id_fkey"
        | "calls_crisis_types_no_null"
        | "calls_dispositions_no_null"
        | "subjects_source_external_id_key"
        | "calls_responders_array"
        // Partners, referrals and follow-ups: checked by their services before writing (the
        // partner, its service, the call and the referral are read first), or built by them.
        | "partners_phones_array"
        | "partners_address_object"
        | "partner_services_partner_id_fkey"
        | "partner_services_categories_no_null"
        | "referrals_partner_id_fkey"
        | "referrals_service_id_fkey"
        | "referrals_call_id_fkey"
        | "referrals_created_by_fkey"
        | "referrals_contact_needs_consent"
        | "referrals_closed_has_reason"
        | "referrals_transitions_array"
        | "follow_ups_call_id_fkey"
        | "follow_ups_referral_id_fkey"
        | "follow_ups_call_scheduled_needs_call"
        | "follow_ups_transitions_array" => Some(Constraint::Internal),
        _ => None,
    }
}

/// The column a foreign-key violation names in PostgreSQL's detail (`Key (course_id)=(…) is
/// not present in table …`), for constraints the table does not know yet. Only the column
/// name is taken, never the quoted value.
pub fn foreign_key_column(detail: &str) -> Option<&str> {
    let start = detail.find("Key (")? + "Key (".len();
    let end = start + detail[start..].find(")=")?;
    let column = &detail[start..end];
    column
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        .then_some(column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_unique_violation_has_a_readable_message() {
        assert_eq!(
            describe("users_username_key"),
            caller("username", "a user with this username already exists")
        );
        assert_eq!(
            describe("login_failures_user_id_fkey"),
            Some(Constraint::Internal)
        );
        assert!(describe("something_else").is_none());
    }

    #[test]
    fn the_column_of_a_foreign_key_detail_is_read_without_its_value() {
        assert_eq!(
            foreign_key_column(
                "Key (course_id)=(019b76da-a800-7000-8000-000000000005) is not present in table \"courses\"."
            ),
            Some("course_id")
        );
        assert_eq!(foreign_key_column("Key (a, b)=(1, 2) is not present"), None);
        assert_eq!(foreign_key_column("nothing here"), None);
    }
}
