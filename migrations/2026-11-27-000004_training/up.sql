-- Certification types, courses, training sessions, enrollments and certifications, with the
-- standard catalogue of an Illinois CIT program (no expiry unless the agency sets one).

CREATE TABLE certification_types (
    id              uuid PRIMARY KEY,
    code            text NOT NULL,
    name            text NOT NULL,
    issuer          text NOT NULL,
    counts_as_cit   boolean NOT NULL DEFAULT false,
    validity_months integer,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT certification_types_code_key UNIQUE (code),
    CONSTRAINT certification_types_validity_positive CHECK (validity_months IS NULL OR validity_months > 0)
);

CREATE TABLE courses (
    id                    uuid PRIMARY KEY,
    code                  text NOT NULL,
    title                 text NOT NULL,
    hours                 double precision NOT NULL,
    provider              text NOT NULL,
    certification_type_id uuid REFERENCES certification_types (id),
    version               integer NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT courses_code_key UNIQUE (code),
    CONSTRAINT courses_hours_positive CHECK (hours > 0)
);

CREATE TYPE session_status AS ENUM ('scheduled', 'completed', 'cancelled');

CREATE TABLE training_sessions (
    id         uuid PRIMARY KEY,
    course_id  uuid NOT NULL REFERENCES courses (id),
    starts_on  date NOT NULL,
    ends_on    date NOT NULL,
    location   text NOT NULL,
    instructor text,
    capacity   integer NOT NULL,
    status     session_status NOT NULL DEFAULT 'scheduled',
    version    integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT training_sessions_dates_ordered CHECK (ends_on >= starts_on),
    CONSTRAINT training_sessions_capacity_positive CHECK (capacity > 0)
);
CREATE INDEX training_sessions_course_idx ON training_sessions (course_id, starts_on);
CREATE INDEX training_sessions_starts_idx ON training_sessions (starts_on);

CREATE TYPE enrollment_status AS ENUM (
    'enrolled', 'attended', 'completed', 'failed', 'no_show', 'withdrawn'
);

CREATE TABLE enrollments (
    id             uuid PRIMARY KEY,
    session_id     uuid NOT NULL REFERENCES training_sessions (id),
    personnel_id   uuid NOT NULL REFERENCES personnel (id),
    status         enrollment_status NOT NULL DEFAULT 'enrolled',
    hours_credited double precision,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT enrollments_session_personnel_key UNIQUE (session_id, personnel_id),
    CONSTRAINT enrollments_hours_not_negative CHECK (hours_credited IS NULL OR hours_credited >= 0)
);
CREATE INDEX enrollments_personnel_idx ON enrollments (personnel_id);

CREATE TABLE certifications (
    id                    uuid PRIMARY KEY,
    personnel_id          uuid NOT NULL REFERENCES personnel (id),
    certification_type_id uuid NOT NULL REFERENCES certification_types (id),
    certificate_number    text NOT NULL,
    issued_on             date NOT NULL,
    expires_on            date,
    revoked_at            timestamptz,
    revoked_reason        text,
    revoked_by            uuid REFERENCES users (id),
    enrollment_id         uuid REFERENCES enrollments (id),
    created_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT certifications_number_key UNIQUE (certification_type_id, certificate_number),
    CONSTRAINT certifications_enrollment_key UNIQUE (enrollment_id),
    CONSTRAINT certifications_expiry_after_issue CHECK (expires_on IS NULL OR expires_on > issued_on),
    CONSTRAINT certifications_revocation_has_reason CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE INDEX certifications_personnel_idx ON certifications (personnel_id, certification_type_id);
CREATE INDEX certifications_type_idx ON certifications (certification_type_id, issued_on);
CREATE INDEX certifications_expires_idx ON certifications (expires_on) WHERE expires_on IS NOT NULL;

-- Whether a person holds a certification of a type that counts as CIT, valid on a day: issued
-- on or before it, not expired, not revoked on or before it.
CREATE FUNCTION cit_certified_on(person uuid, day date) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1
          FROM certifications c
          JOIN certification_types t ON t.id = c.certification_type_id
         WHERE c.personnel_id = person
           AND t.counts_as_cit
           AND c.issued_on <= day
           AND (c.expires_on IS NULL OR c.expires_on > day)
           AND (c.revoked_at IS NULL OR c.revoked_at::date > day)
    )
$$;

-- The standard catalogue (DOMAIN.md; 50 ILCS 705/10.17 and the ILETSB courses).
INSERT INTO certification_types (id, code, name, issuer, counts_as_cit, validity_months) VALUES
    ('019b76da-a800-7000-8000-000000000001', 'CIT_BASIC',
     'Crisis Intervention Team certification (40-hour specialty course)', 'ILETSB', true, NULL),
    ('019b76da-a800-7000-8000-000000000002', 'CIT_REFRESHER',
     'CIT refresher (8-hour)', 'ILETSB', false, NULL),
    ('019b76da-a800-7000-8000-000000000003', 'CIT_TELECOM',
     'CIT for telecommunicators (8-hour)', 'ILETSB', true, NULL),
    ('019b76da-a800-7000-8000-000000000004', 'MH_AWARENESS',
     'Mental-health awareness (8-hour)', 'ILETSB', false, NULL);

INSERT INTO courses (id, code, title, hours, provider, certification_type_id) VALUES
    ('019b76da-a800-7000-8000-000000000005', 'CIT-40',
     'Crisis Intervention Team basic course', 40, 'ILETSB-certified training provider',
     '019b76da-a800-7000-8000-000000000001'),
    ('019b76da-a800-7000-8000-000000000006', 'CIT-REF-8',
     'CIT refresher', 8, 'ILETSB-certified training provider',
     '019b76da-a800-7000-8000-000000000002'),
    ('019b76da-a800-7000-8000-000000000007', 'CIT-TC-8',
     'CIT for telecommunicators', 8, 'ILETSB-certified training provider',
     '019b76da-a800-7000-8000-000000000003'),
    ('019b76da-a800-7000-8000-000000000008', 'MHA-8',
     'Mental-health awareness', 8, 'ILETSB-certified training provider',
     '019b76da-a800-7000-8000-000000000004'),
    ('019b76da-a800-7000-8000-000000000009', 'CIT-INTRO',
     'CIT in-service introduction', 2, 'In-house', NULL);
