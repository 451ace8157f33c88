//! The audit trail's vocabulary: every action an event can record and the kind of record it
//! is about, as enums, so a call site cannot misspell one and the list of what is audited is
//! in one place. The labels are what `GET /api/v1/audit-events` shows and filters by.

/// What was done: an event's `action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `access.denied` (on a route).
    AccessDenied,
    /// `api_key.create` (on an API key).
    ApiKeyCreate,
    /// `api_key.revoke` (on an API key).
    ApiKeyRevoke,
    /// `audit.list` (on a audit event).
    AuditList,
    /// `auth.lockout` (on a user).
    AuthLockout,
    /// `auth.login` (on a user).
    AuthLogin,
    /// `auth.logout` (on a session).
    AuthLogout,
    /// `auth.password_change` (on a user).
    AuthPasswordChange,
    /// `auth.refresh` (on a session).
    AuthRefresh,
    /// `call.batch` (on calls).
    CallBatch,
    /// `demo.seed` (on the demo city: `cit-api seed-demo`).
    DemoSeed,
    /// `call.create` (on a call).
    CallCreate,
    /// `call.list` (on calls, when subject identities were shown).
    CallList,
    /// `call.read` (on a call, when its subject's identity was shown).
    CallRead,
    /// `call.update` (on a call).
    CallUpdate,
    /// `certification.create` (on a certification).
    CertificationCreate,
    /// `certification.issue` (on a certification).
    CertificationIssue,
    /// `certification.revoke` (on a certification).
    CertificationRevoke,
    /// `certification_type.create` (on a certification type).
    CertificationTypeCreate,
    /// `certification_type.update` (on a certification type).
    CertificationTypeUpdate,
    /// `course.create` (on a course).
    CourseCreate,
    /// `course.update` (on a course).
    CourseUpdate,
    /// `enrollment.create` (on a enrollment).
    EnrollmentCreate,
    /// `enrollment.update` (on a enrollment).
    EnrollmentUpdate,
    /// `follow_up.create` (on a follow-up).
    FollowUpCreate,
    /// `follow_up.list` (on follow-ups; the ids shown in `details`).
    FollowUpList,
    /// `follow_up.read` (on a follow-up).
    FollowUpRead,
    /// `follow_up.transition` (on a follow-up).
    FollowUpTransition,
    /// `follow_up.update` (on a follow-up).
    FollowUpUpdate,
    /// `goal.create` (on a goal).
    GoalCreate,
    /// `goal.update` (on a goal).
    GoalUpdate,
    /// `personnel.create` (on a personnel).
    PersonnelCreate,
    /// `personnel.import` (on a personnel).
    PersonnelImport,
    /// `personnel.update` (on a personnel).
    PersonnelUpdate,
    /// `partner.create` (on a partner).
    PartnerCreate,
    /// `partner.update` (on a partner).
    PartnerUpdate,
    /// `referral.create` (on a referral).
    ReferralCreate,
    /// `referral.list` (on referrals; the ids shown in `details`).
    ReferralList,
    /// `referral.read` (on a referral).
    ReferralRead,
    /// `referral.transition` (on a referral).
    ReferralTransition,
    /// `subject.list` (on subjects; the ids shown in `details`).
    SubjectList,
    /// `subject.read` (on a subject).
    SubjectRead,
    /// `subject.timeline` (on a subject).
    SubjectTimeline,
    /// `training_session.create` (on a training session).
    TrainingSessionCreate,
    /// `training_session.update` (on a training session).
    TrainingSessionUpdate,
    /// `user.bootstrap_admin` (on a user).
    UserBootstrapAdmin,
    /// `user.create` (on a user).
    UserCreate,
    /// `user.password_reset` (on a user).
    UserPasswordReset,
    /// `user.unlock` (on a user).
    UserUnlock,
    /// `user.update` (on a user).
    UserUpdate,
}

/// The kind of record an event is about: an event's `resource_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// `api_key`.
    ApiKey,
    /// `audit_event`.
    AuditEvent,
    /// `call`.
    Call,
    /// `subject`.
    Subject,
    /// `certification`.
    Certification,
    /// `certification_type`.
    CertificationType,
    /// `course`.
    Course,
    /// `demo` (the synthetic demo city `cit-api seed-demo` makes).
    Demo,
    /// `enrollment`.
    Enrollment,
    /// `follow_up`.
    FollowUp,
    /// `goal`.
    Goal,
    /// `partner`.
    Partner,
    /// `referral`.
    Referral,
    /// `personnel`.
    Personnel,
    /// `route`.
    Route,
    /// `session`.
    Session,
    /// `training_session`.
    TrainingSession,
    /// `user`.
    User,
}

impl Action {
    /// Every action.
    pub const ALL: &'static [Action] = &[
        Self::AccessDenied,
        Self::ApiKeyCreate,
        Self::ApiKeyRevoke,
        Self::AuditList,
        Self::AuthLockout,
        Self::AuthLogin,
        Self::AuthLogout,
        Self::AuthPasswordChange,
        Self::AuthRefresh,
        Self::CallBatch,
        Self::DemoSeed,
        Self::CallCreate,
        Self::CallList,
        Self::CallRead,
        Self::CallUpdate,
        Self::CertificationCreate,
        Self::CertificationIssue,
        Self::CertificationRevoke,
        Self::CertificationTypeCreate,
        Self::CertificationTypeUpdate,
        Self::CourseCreate,
        Self::CourseUpdate,
        Self::EnrollmentCreate,
        Self::EnrollmentUpdate,
        Self::FollowUpCreate,
        Self::FollowUpList,
        Self::FollowUpRead,
        Self::FollowUpTransition,
        Self::FollowUpUpdate,
        Self::GoalCreate,
        Self::GoalUpdate,
        Self::PersonnelCreate,
        Self::PersonnelImport,
        Self::PersonnelUpdate,
        Self::PartnerCreate,
        Self::PartnerUpdate,
        Self::ReferralCreate,
        Self::ReferralList,
        Self::ReferralRead,
        Self::ReferralTransition,
        Self::SubjectList,
        Self::SubjectRead,
        Self::SubjectTimeline,
        Self::TrainingSessionCreate,
        Self::TrainingSessionUpdate,
        Self::UserBootstrapAdmin,
        Self::UserCreate,
        Self::UserPasswordReset,
        Self::UserUnlock,
        Self::UserUpdate,
    ];

    /// The label stored and shown (`user.update`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccessDenied => "access.denied",
            Self::ApiKeyCreate => "api_key.create",
            Self::ApiKeyRevoke => "api_key.revoke",
            Self::AuditList => "audit.list",
            Self::AuthLockout => "auth.lockout",
            Self::AuthLogin => "auth.login",
            Self::AuthLogout => "auth.logout",
            Self::AuthPasswordChange => "auth.password_change",
            Self::AuthRefresh => "auth.refresh",
            Self::CallBatch => "call.batch",
            Self::DemoSeed => "demo.seed",
            Self::CallCreate => "call.create",
            Self::CallList => "call.list",
            Self::CallRead => "call.read",
            Self::CallUpdate => "call.update",
            Self::CertificationCreate => "certification.create",
            Self::CertificationIssue => "certification.issue",
            Self::CertificationRevoke => "certification.revoke",
            Self::CertificationTypeCreate => "certification_type.create",
            Self::CertificationTypeUpdate => "certification_type.update",
            Self::CourseCreate => "course.create",
            Self::CourseUpdate => "course.update",
            Self::EnrollmentCreate => "enrollment.create",
            Self::EnrollmentUpdate => "enrollment.update",
            Self::FollowUpCreate => "follow_up.create",
            Self::FollowUpList => "follow_up.list",
            Self::FollowUpRead => "follow_up.read",
            Self::FollowUpTransition => "follow_up.transition",
            Self::FollowUpUpdate => "follow_up.update",
            Self::GoalCreate => "goal.create",
            Self::GoalUpdate => "goal.update",
            Self::PersonnelCreate => "personnel.create",
            Self::PersonnelImport => "personnel.import",
            Self::PersonnelUpdate => "personnel.update",
            Self::PartnerCreate => "partner.create",
            Self::PartnerUpdate => "partner.update",
            Self::ReferralCreate => "referral.create",
            Self::ReferralList => "referral.list",
            Self::ReferralRead => "referral.read",
            Self::ReferralTransition => "referral.transition",
            Self::SubjectList => "subject.list",
            Self::SubjectRead => "subject.read",
            Self::SubjectTimeline => "subject.timeline",
            Self::TrainingSessionCreate => "training_session.create",
            Self::TrainingSessionUpdate => "training_session.update",
            Self::UserBootstrapAdmin => "user.bootstrap_admin",
            Self::UserCreate => "user.create",
            Self::UserPasswordReset => "user.password_reset",
            Self::UserUnlock => "user.unlock",
            Self::UserUpdate => "user.update",
        }
    }

    /// The kind of record the action is about.
    pub fn resource(self) -> Resource {
        match self {
            Self::AccessDenied => Resource::Route,
            Self::ApiKeyCreate | Self::ApiKeyRevoke => Resource::ApiKey,
            Self::AuditList => Resource::AuditEvent,
            Self::AuthLockout => Resource::User,
            Self::AuthLogin => Resource::User,
            Self::AuthLogout => Resource::Session,
            Self::AuthPasswordChange => Resource::User,
            Self::AuthRefresh => Resource::Session,
            Self::CallBatch
            | Self::CallCreate
            | Self::CallList
            | Self::CallRead
            | Self::CallUpdate => Resource::Call,
            Self::DemoSeed => Resource::Demo,
            Self::CertificationCreate => Resource::Certification,
            Self::CertificationIssue => Resource::Certification,
            Self::CertificationRevoke => Resource::Certification,
            Self::CertificationTypeCreate => Resource::CertificationType,
            Self::CertificationTypeUpdate => Resource::CertificationType,
            Self::CourseCreate => Resource::Course,
            Self::CourseUpdate => Resource::Course,
            Self::EnrollmentCreate => Resource::Enrollment,
            Self::EnrollmentUpdate => Resource::Enrollment,
            Self::FollowUpCreate
            | Self::FollowUpList
            | Self::FollowUpRead
            | Self::FollowUpTransition
            | Self::FollowUpUpdate => Resource::FollowUp,
            Self::GoalCreate => Resource::Goal,
            Self::GoalUpdate => Resource::Goal,
            Self::PersonnelCreate => Resource::Personnel,
            Self::PersonnelImport => Resource::Personnel,
            Self::PersonnelUpdate => Resource::Personnel,
            Self::PartnerCreate | Self::PartnerUpdate => Resource::Partner,
            Self::ReferralCreate
            | Self::ReferralList
            | Self::ReferralRead
            | Self::ReferralTransition => Resource::Referral,
            Self::SubjectList | Self::SubjectRead | Self::SubjectTimeline => Resource::Subject,
            Self::TrainingSessionCreate => Resource::TrainingSession,
            Self::TrainingSessionUpdate => Resource::TrainingSession,
            Self::UserBootstrapAdmin => Resource::User,
            Self::UserCreate => Resource::User,
            Self::UserPasswordReset => Resource::User,
            Self::UserUnlock => Resource::User,
            Self::UserUpdate => Resource::User,
        }
    }
}

/// A typed id the audit trail can name, with the kind of record it names: `AuditEvent::resource`
/// takes one, so an event names a record by an id of the kind its action is about.
pub trait Audited: std::fmt::Display {
    /// The kind of record the id names.
    const RESOURCE: Resource;
}

macro_rules! audited {
    ($($id:ident => $resource:ident),+ $(,)?) => {$(
        impl Audited for crate::ids::$id {
            const RESOURCE: Resource = Resource::$resource;
        }
    )+};
}

audited! {
    UserId => User,
    SessionId => Session,
    PersonnelId => Personnel,
    CertificationTypeId => CertificationType,
    CourseId => Course,
    TrainingSessionId => TrainingSession,
    EnrollmentId => Enrollment,
    CertificationId => Certification,
    GoalId => Goal,
    AuditEventId => AuditEvent,
    ApiKeyId => ApiKey,
    CallId => Call,
    SubjectId => Subject,
    PartnerId => Partner,
    ReferralId => Referral,
    FollowUpId => FollowUp,
}

impl Resource {
    /// The label stored and shown (`training_session`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApiKey => "api_key",
            Self::AuditEvent => "audit_event",
            Self::Call => "call",
            Self::Subject => "subject",
            Self::Certification => "certification",
            Self::CertificationType => "certification_type",
            Self::Course => "course",
            Self::Enrollment => "enrollment",
            Self::FollowUp => "follow_up",
            Self::Goal => "goal",
            Self::Partner => "partner",
            Self::Referral => "referral",
            Self::Personnel => "personnel",
            Self::Route => "route",
            Self::Session => "session",
            Self::TrainingSession => "training_session",
            Self::User => "user",
            Self::Demo => "demo",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_its_resource_dot_a_verb() {
        let mut seen = std::collections::HashSet::new();
        for action in Action::ALL {
            assert!(seen.insert(action.as_str()), "duplicate label");
            let (kind, verb) = action.as_str().split_once('.').unwrap();
            assert!(!verb.is_empty());
            // `auth.*`, `access.*` and `audit.*` name the activity, not the record.
            if !["auth", "access", "audit"].contains(&kind) {
                assert_eq!(kind, action.resource().as_str(), "{action:?}");
            }
        }
    }
}
