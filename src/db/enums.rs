//! Postgres enums and their Rust twins. Each `pg_enum!` gives the Rust enum (serde and OpenAPI
//! names equal to the database labels) and the conversions both ways to the SQL type that
//! `diesel print-schema` generated in `schema::sql_types`, so a label lives in exactly two
//! places: the migration and here. A `label_enum!` is the same without a database type, for a
//! label kept only inside JSON (`ResponderRole`, in a call's `responders`): here alone.

/// Declares an enum of labels: serde and OpenAPI names as written, `ALL`, `as_str`, `Display`
/// and `FromStr`.
macro_rules! label_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $label:tt ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        // `$label` is a token tree, not a `literal` fragment, so utoipa sees each variant's
        // rename as written (a test holds every schema to the labels).
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $label)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The label used in JSON, CSV and the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($label => Ok($name::$variant),)+
                    _ => Err(format!(
                        "expected one of: {}",
                        [$($label),+].join(", ")
                    )),
                }
            }
        }
    };
}

/// A [`label_enum!`] that is also a PostgreSQL enum type (`$pg_name`), read and written by
/// diesel as its labels.
macro_rules! pg_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident in $sql_type:ident = $pg_name:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $label:tt ),+ $(,)?
        }
    ) => {
        label_enum! {
            $(#[$meta])*
            #[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
            #[diesel(sql_type = crate::db::schema::sql_types::$sql_type)]
            pub enum $name {
                $( $(#[$vmeta])* $variant = $label ),+
            }
        }

        impl diesel::serialize::ToSql<crate::db::schema::sql_types::$sql_type, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                std::io::Write::write_all(out, self.as_str().as_bytes())?;
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::deserialize::FromSql<crate::db::schema::sql_types::$sql_type, diesel::pg::Pg> for $name {
            fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                match value.as_bytes() {
                    $(b if b == $label.as_bytes() => Ok($name::$variant),)+
                    _ => Err(concat!("unknown ", $pg_name, " label").into()),
                }
            }
        }
    };
}

pg_enum! {
    /// What a user may do; a user holds one or more roles.
    pub enum Role in UserRole = "user_role" {
        /// Manages users and may do everything.
        Admin = "admin",
        /// CIT program and training coordinator.
        Coordinator = "coordinator",
        /// Social-services staff: subjects, referrals, follow-up.
        Clinician = "clinician",
        /// Reads personnel, training and calls.
        Supervisor = "supervisor",
        /// Reads metrics and aggregates only.
        Analyst = "analyst",
        /// Reads the audit trail.
        Auditor = "auditor",
        /// The records management system: pushes calls, reads personnel numbers.
        Integration = "integration",
        /// Staff of a community partner organization.
        Partner = "partner",
    }
}

pg_enum! {
    /// How an audited action ended.
    pub enum AuditOutcome in AuditOutcome = "audit_outcome" {
        /// It was done.
        Success = "success",
        /// The caller was not allowed to do it.
        Denied = "denied",
        /// It was attempted and failed (e.g. a wrong password).
        Failed = "failed",
    }
}

pg_enum! {
    /// The department a person works in.
    pub enum Department in Department = "department" {
        /// Police department.
        Police = "police",
        /// Fire department.
        Fire = "fire",
        /// Emergency communications (dispatch).
        Communications = "communications",
        /// Social services.
        SocialServices = "social_services",
    }
}

pg_enum! {
    /// A person's job.
    pub enum PersonnelRole in PersonnelRole = "personnel_role" {
        /// Sworn patrol officer.
        Officer = "officer",
        /// Sworn supervisor (sergeant and up).
        Supervisor = "supervisor",
        /// Dispatcher / call-taker.
        Telecommunicator = "telecommunicator",
        /// Licensed clinician.
        Clinician = "clinician",
        /// Firefighter.
        Firefighter = "firefighter",
        /// Paramedic.
        Paramedic = "paramedic",
        /// Other civilian staff.
        Civilian = "civilian",
    }
}

pg_enum! {
    /// Employment status; `separated` always has a separation date.
    pub enum PersonnelStatus in PersonnelStatus = "personnel_status" {
        /// Working.
        Active = "active",
        /// On leave (still employed: counts in the population).
        Leave = "leave",
        /// No longer employed.
        Separated = "separated",
    }
}

pg_enum! {
    /// Where a training session stands.
    pub enum SessionStatus in SessionStatus = "session_status" {
        /// Planned or running.
        Scheduled = "scheduled",
        /// Held.
        Completed = "completed",
        /// Called off.
        Cancelled = "cancelled",
    }
}

pg_enum! {
    /// Where a person's enrollment in a session stands.
    pub enum EnrollmentStatus in EnrollmentStatus = "enrollment_status" {
        /// Holds a seat.
        Enrolled = "enrolled",
        /// Came to the session; result not yet recorded.
        Attended = "attended",
        /// Passed; a certifying course issues its certification.
        Completed = "completed",
        /// Did not pass.
        Failed = "failed",
        /// Did not come.
        NoShow = "no_show",
        /// Gave the seat back.
        Withdrawn = "withdrawn",
    }
}

pg_enum! {
    /// How a call came in.
    pub enum CallSource in CallSource = "call_source" {
        /// An emergency (911) call.
        E911 = "911",
        /// A non-emergency phone line.
        Phone = "phone",
        /// Started by an officer in the field.
        OfficerInitiated = "officer_initiated",
        /// Anything else.
        Other = "other",
    }
}

pg_enum! {
    /// The nature of a crisis.
    pub enum CrisisType in CrisisType = "crisis_type" {
        /// Suicidal ideation or attempt.
        Suicide = "suicide",
        /// Substance use.
        Substance = "substance",
        /// Psychosis.
        Psychosis = "psychosis",
        /// Developmental disability.
        Developmental = "developmental",
        /// Dementia.
        Dementia = "dementia",
        /// Anything else.
        Other = "other",
    }
}

label_enum! {
    /// A responder's part on a call.
    pub enum ResponderRole {
        /// The primary unit.
        Primary = "primary",
        /// Backup.
        Backup = "backup",
        /// A clinician or other co-responder.
        CoResponder = "co_responder",
    }
}

pg_enum! {
    /// How a call ended (APCO 1.111.1 dispositions, as CIT programs count them).
    pub enum Disposition in Disposition = "disposition" {
        /// Resolved on scene.
        ResolvedOnScene = "resolved_on_scene",
        /// Referred to a service.
        Referral = "referral",
        /// Handed to a mobile crisis team.
        MobileCrisis = "mobile_crisis",
        /// Voluntary transport to care.
        VoluntaryTransport = "voluntary_transport",
        /// Involuntary petition (an emergency examination).
        InvoluntaryPetition = "involuntary_petition",
        /// Transport to an emergency room.
        ErTransport = "er_transport",
        /// Arrest.
        Arrest = "arrest",
        /// Citation.
        Citation = "citation",
        /// The person could not be found.
        UnableToLocate = "unable_to_locate",
        /// Anything else.
        Other = "other",
    }
}

pg_enum! {
    /// The highest level of force used on a call, in increasing order.
    pub enum ForceLevel in ForceLevel = "force_level" {
        /// None.
        None = "none",
        /// Officer presence.
        Presence = "presence",
        /// Verbal commands.
        Verbal = "verbal",
        /// Hands on.
        HandsOn = "hands_on",
        /// Restraint.
        Restraint = "restraint",
        /// A weapon.
        Weapon = "weapon",
    }
}

pg_enum! {
    /// A weapon involved in a call.
    pub enum Weapon in Weapon = "weapon" {
        /// None.
        None = "none",
        /// A knife or other blade.
        Knife = "knife",
        /// A firearm.
        Firearm = "firearm",
        /// Anything else.
        Other = "other",
    }
}

#[cfg(test)]
mod tests {
    use utoipa::PartialSchema;

    use super::*;

    /// The `enum` values of a schema, as the OpenAPI document shows them.
    fn documented<T: PartialSchema>() -> Vec<String> {
        let schema = serde_json::to_value(T::schema()).unwrap();
        schema["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }

    fn labels<T: Copy + std::fmt::Display>(all: &[T]) -> Vec<String> {
        all.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_document_names_every_enum_value_as_the_wire_does() {
        assert_eq!(documented::<Role>(), labels(Role::ALL));
        assert_eq!(documented::<AuditOutcome>(), labels(AuditOutcome::ALL));
        assert_eq!(documented::<Department>(), labels(Department::ALL));
        assert_eq!(documented::<PersonnelRole>(), labels(PersonnelRole::ALL));
        assert_eq!(
            documented::<PersonnelStatus>(),
            labels(PersonnelStatus::ALL)
        );
        assert_eq!(documented::<SessionStatus>(), labels(SessionStatus::ALL));
        assert_eq!(
            documented::<EnrollmentStatus>(),
            labels(EnrollmentStatus::ALL)
        );
        assert_eq!(documented::<CallSource>(), labels(CallSource::ALL));
        assert_eq!(documented::<CrisisType>(), labels(CrisisType::ALL));
        assert_eq!(documented::<ResponderRole>(), labels(ResponderRole::ALL));
        assert_eq!(documented::<Disposition>(), labels(Disposition::ALL));
        assert_eq!(documented::<ForceLevel>(), labels(ForceLevel::ALL));
        assert_eq!(documented::<Weapon>(), labels(Weapon::ALL));
        assert_eq!(
            serde_json::to_value(Department::SocialServices).unwrap(),
            "social_services"
        );
        assert_eq!(serde_json::to_value(CallSource::E911).unwrap(), "911");
    }
}

pg_enum! {
    /// Where the program's memorandum of understanding with a partner stands (internal).
    pub enum MouStatus in MouStatus = "mou_status" {
        /// None.
        None = "none",
        /// Being drafted.
        Draft = "draft",
        /// Signed and in force.
        Signed = "signed",
        /// Lapsed.
        Expired = "expired",
    }
}

pg_enum! {
    /// Where a referral stands: `sent → acknowledged → engaged → closed`, or closed early.
    pub enum ReferralStatus in ReferralStatus = "referral_status" {
        /// Sent to the partner, with consent.
        Sent = "sent",
        /// The partner has it.
        Acknowledged = "acknowledged",
        /// The person is engaged with the partner's service.
        Engaged = "engaged",
        /// Closed, with a reason.
        Closed = "closed",
    }
}

pg_enum! {
    /// Why a referral was closed.
    pub enum CloseReason in CloseReason = "close_reason" {
        /// The service was given.
        Completed = "completed",
        /// The person declined.
        Declined = "declined",
        /// The person is not eligible.
        Ineligible = "ineligible",
        /// The partner has no capacity.
        NoCapacity = "no_capacity",
        /// The person could not be reached.
        UnableToContact = "unable_to_contact",
        /// The referral was withdrawn.
        Withdrawn = "withdrawn",
    }
}

pg_enum! {
    /// How consent to a referral was given.
    pub enum ConsentMethod in ConsentMethod = "consent_method" {
        /// Spoken.
        Verbal = "verbal",
        /// Signed on paper.
        Written = "written",
        /// Given electronically.
        Electronic = "electronic",
    }
}

pg_enum! {
    /// What the person consented to share with the partner.
    pub enum ConsentScope in ConsentScope = "consent_scope" {
        /// Their need and how to contact them.
        Contact = "contact",
        /// Their need only: no contact details are kept.
        NeedOnly = "need_only",
    }
}

pg_enum! {
    /// How a follow-up is made.
    pub enum FollowUpMethod in FollowUpMethod = "follow_up_method" {
        /// By telephone.
        Phone = "phone",
        /// A visit.
        Visit = "visit",
        /// A joint visit with an officer.
        Joint = "joint",
        /// A letter.
        Letter = "letter",
    }
}

pg_enum! {
    /// Where a follow-up stands: open while `scheduled` or `attempted`.
    pub enum FollowUpStatus in FollowUpStatus = "follow_up_status" {
        /// Due, not yet tried.
        Scheduled = "scheduled",
        /// Tried without reaching the person; still open.
        Attempted = "attempted",
        /// Done.
        Completed = "completed",
        /// The person could not be reached.
        UnableToContact = "unable_to_contact",
        /// The person declined.
        Declined = "declined",
        /// No longer needed.
        Cancelled = "cancelled",
    }
}
