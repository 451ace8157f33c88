//! Audit rows, the builder features use to record them, and the list query.

use chrono::{DateTime, Utc};
use diesel::{
    BoolExpressionMethods, ExpressionMethods, Insertable, QueryDsl, Queryable, Selectable,
    SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use uuid::Uuid;

use crate::auth::{Caller, Principal};
use crate::db::enums::AuditOutcome;
use crate::db::schema::audit_events;
use crate::http::context::RequestMeta;
use crate::http::pagination::PageRequest;
use crate::ids::{ApiKeyId, AuditEventId, UserId};

use super::vocabulary::{Action, Audited, Resource};

/// A row of `audit_events`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events, check_for_backend(diesel::pg::Pg))]
pub struct AuditRow {
    /// Id (UUID v7).
    pub id: AuditEventId,
    /// When it happened (database clock).
    pub occurred_at: DateTime<Utc>,
    /// Who did it, when a user did.
    pub actor_user_id: Option<UserId>,
    /// The actor's username, the API key's name, or the name tried at a failed login.
    pub actor_username: Option<String>,
    /// What was done, e.g. `auth.login`, `user.update`.
    pub action: String,
    /// The kind of record, e.g. `user`, `session`, `route`.
    pub resource_type: String,
    /// Which record.
    pub resource_id: Option<String>,
    /// How it ended.
    pub outcome: AuditOutcome,
    /// The caller's address.
    pub ip: Option<String>,
    /// The request that did it.
    pub request_id: Option<Uuid>,
    /// Ids, field names and reasons; never health data.
    pub details: serde_json::Value,
    /// Which API key did it, when a key did.
    pub actor_api_key_id: Option<ApiKeyId>,
}

/// An event to record: `AuditEvent::new(Action::UserUpdate).by(&actor).resource(id)…`.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    id: AuditEventId,
    actor_user_id: Option<UserId>,
    actor_api_key_id: Option<ApiKeyId>,
    actor_username: Option<String>,
    action: String,
    resource_type: String,
    resource_id: Option<String>,
    outcome: AuditOutcome,
    ip: Option<String>,
    request_id: Option<Uuid>,
    details: serde_json::Value,
}

/// The longest actor name stored for a failed login (the name is whatever was typed).
const MAX_ATTEMPTED_NAME: usize = 64;

impl AuditEvent {
    /// A successful `action` (on the kind of record the action is about).
    pub fn new(action: Action) -> Self {
        Self {
            id: AuditEventId::generate(),
            actor_user_id: None,
            actor_api_key_id: None,
            actor_username: None,
            action: action.as_str().to_owned(),
            resource_type: action.resource().as_str().to_owned(),
            resource_id: None,
            outcome: AuditOutcome::Success,
            ip: None,
            request_id: None,
            details: serde_json::Value::Object(serde_json::Map::new()),
        }
    }

    /// Done by an authenticated caller: a user, or an API key (its name as the actor's name).
    pub fn by(mut self, actor: &Caller) -> Self {
        match actor.principal {
            Principal::User { id, .. } => self.actor_user_id = Some(id),
            Principal::ApiKey { id } => self.actor_api_key_id = Some(id),
            Principal::Operator => {}
        }
        self.actor_username = Some(actor.name.clone());
        self
    }

    /// Done by a known user.
    pub fn by_user(mut self, id: UserId, username: &str) -> Self {
        self.actor_user_id = Some(id);
        self.actor_username = Some(username.to_owned());
        self
    }

    /// Attempted under a name that matched no user (failed logins).
    pub fn by_unknown(mut self, attempted_username: &str) -> Self {
        self.actor_username = Some(
            attempted_username
                .chars()
                .take(MAX_ATTEMPTED_NAME)
                .collect(),
        );
        self
    }

    /// On this record: an id of the kind the action is about (checked in debug builds, so
    /// every tested write proves it).
    pub fn resource<I: Audited>(mut self, id: I) -> Self {
        debug_assert_eq!(
            I::RESOURCE.as_str(),
            self.resource_type,
            "{} names a {} id",
            self.action,
            I::RESOURCE.as_str()
        );
        self.resource_id = Some(id.to_string());
        self
    }

    /// On this route pattern (`access.denied`).
    pub fn route(mut self, pattern: &str) -> Self {
        debug_assert_eq!(self.resource_type, Resource::Route.as_str());
        self.resource_id = Some(pattern.to_owned());
        self
    }

    /// With this outcome (default: success).
    pub fn outcome(mut self, outcome: AuditOutcome) -> Self {
        self.outcome = outcome;
        self
    }

    /// With these details: ids, field names, reasons — never health data.
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }

    /// Writes the event. Inside a transaction, it commits or rolls back with the change.
    pub async fn record(
        mut self,
        conn: &mut AsyncPgConnection,
        meta: &RequestMeta,
    ) -> diesel::QueryResult<()> {
        self.ip = meta.ip.map(|ip| ip.to_string());
        self.request_id = Some(meta.request_id);
        diesel::insert_into(audit_events::table)
            .values(&self)
            .execute(conn)
            .await
            .map(drop)
    }
}

/// Filters of the audit list.
#[derive(Debug, Default)]
pub struct AuditFilter {
    /// Actor: a user id, or a username.
    pub actor: Option<String>,
    /// Exact action.
    pub action: Option<String>,
    /// Exact resource type.
    pub resource_type: Option<String>,
    /// Exact resource id.
    pub resource_id: Option<String>,
    /// Outcome.
    pub outcome: Option<AuditOutcome>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub to: Option<DateTime<Utc>>,
}

/// Lists events, newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &AuditFilter,
    page: &PageRequest<AuditEventId>,
) -> diesel::QueryResult<Vec<AuditRow>> {
    let mut query = audit_events::table
        .select(AuditRow::as_select())
        .order(audit_events::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(audit_events::id.lt(after));
    }
    if let Some(actor) = &filter.actor {
        query = match actor.parse::<UserId>() {
            Ok(id) => query.filter(
                audit_events::actor_user_id
                    .eq(id)
                    .or(audit_events::actor_api_key_id.eq(ApiKeyId::from_uuid(id.uuid()))),
            ),
            Err(_) => query.filter(audit_events::actor_username.eq(actor.to_lowercase())),
        };
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_events::action.eq(action));
    }
    if let Some(resource_type) = &filter.resource_type {
        query = query.filter(audit_events::resource_type.eq(resource_type));
    }
    if let Some(resource_id) = &filter.resource_id {
        query = query.filter(audit_events::resource_id.eq(resource_id));
    }
    if let Some(outcome) = filter.outcome {
        query = query.filter(audit_events::outcome.eq(outcome));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::occurred_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_events::occurred_at.lt(to));
    }
    query.load(conn).await
}
