-- Closed-loop referrals of a person in crisis to a community partner, and the follow-up care
-- the department's clinicians give.

CREATE TYPE referral_status AS ENUM ('sent', 'acknowledged', 'engaged', 'closed');
CREATE TYPE close_reason AS ENUM (
    'completed', 'declined', 'ineligible', 'no_capacity', 'unable_to_contact', 'withdrawn'
);
CREATE TYPE consent_method AS ENUM ('verbal', 'written', 'electronic');
CREATE TYPE consent_scope AS ENUM ('contact', 'need_only');

CREATE TABLE referrals (
    id              uuid PRIMARY KEY,
    subject_id      uuid NOT NULL REFERENCES subjects (id),
    call_id         uuid REFERENCES calls (id),
    partner_id      uuid NOT NULL REFERENCES partners (id),
    service_id      uuid REFERENCES partner_services (id),
    need            text NOT NULL,
    -- Consent was obtained (a referral is never sent without it), how, and for what.
    consent_method  consent_method NOT NULL,
    consent_scope   consent_scope NOT NULL,
    -- {name, phone, best_time}: kept only when the person consented to be contacted.
    contact         jsonb,
    referred_by     uuid NOT NULL REFERENCES personnel (id),
    status          referral_status NOT NULL DEFAULT 'sent',
    sent_at         timestamptz NOT NULL,
    -- When each status was reached (the graph never returns to one).
    acknowledged_at timestamptz,
    engaged_at      timestamptz,
    closed_at       timestamptz,
    close_reason    close_reason,
    -- Every move: [{from, to, reason, note, actor_user_id, actor, at}], oldest first.
    transitions     jsonb NOT NULL DEFAULT '[]',
    created_by      uuid NOT NULL REFERENCES users (id),
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT referrals_need_not_blank CHECK (btrim(need) <> ''),
    CONSTRAINT referrals_contact_needs_consent
        CHECK (contact IS NULL OR (consent_scope = 'contact' AND jsonb_typeof(contact) = 'object')),
    CONSTRAINT referrals_closed_has_reason
        CHECK ((status = 'closed') = (closed_at IS NOT NULL AND close_reason IS NOT NULL)),
    CONSTRAINT referrals_transitions_array CHECK (jsonb_typeof(transitions) = 'array')
);
CREATE INDEX referrals_partner_idx ON referrals (partner_id, id);
CREATE INDEX referrals_subject_idx ON referrals (subject_id, sent_at);
CREATE INDEX referrals_sent_at_idx ON referrals (sent_at);

CREATE TYPE follow_up_method AS ENUM ('phone', 'visit', 'joint', 'letter');
CREATE TYPE follow_up_status AS ENUM (
    'scheduled', 'attempted', 'completed', 'unable_to_contact', 'declined', 'cancelled'
);

CREATE TABLE follow_ups (
    id                uuid PRIMARY KEY,
    subject_id        uuid NOT NULL REFERENCES subjects (id),
    call_id           uuid REFERENCES calls (id),
    referral_id       uuid REFERENCES referrals (id),
    assigned_to       uuid REFERENCES personnel (id),
    due_at            timestamptz NOT NULL,
    method            follow_up_method NOT NULL,
    status            follow_up_status NOT NULL DEFAULT 'scheduled',
    -- Clinical: read by clinicians and admins only.
    outcome_note      text,
    -- Scheduled by a mental-health call with a subject (at most one per call), not by hand.
    scheduled_by_call boolean NOT NULL DEFAULT false,
    -- Every change of status: [{from, to, actor_user_id, actor, at}], oldest first.
    transitions       jsonb NOT NULL DEFAULT '[]',
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    CONSTRAINT follow_ups_call_scheduled_needs_call
        CHECK (NOT scheduled_by_call OR call_id IS NOT NULL),
    CONSTRAINT follow_ups_transitions_array CHECK (jsonb_typeof(transitions) = 'array')
);
-- Once per call: the ingest inserts with ON CONFLICT DO NOTHING on this index, so a re-sent,
-- changed or imported call never schedules a second one.
CREATE UNIQUE INDEX follow_ups_one_per_call ON follow_ups (call_id) WHERE scheduled_by_call;
CREATE INDEX follow_ups_open_due_idx ON follow_ups (due_at)
    WHERE status IN ('scheduled', 'attempted');
CREATE INDEX follow_ups_assigned_idx ON follow_ups (assigned_to, due_at);
CREATE INDEX follow_ups_subject_idx ON follow_ups (subject_id, due_at);
