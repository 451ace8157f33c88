-- Calls for service pushed by the records management system (RMS), the responders on each,
-- and the people in crisis (subjects) they concern. One call per (source, incident_number):
-- ingest is an upsert on that key, so retries never make a second row.

CREATE TYPE call_source AS ENUM ('911', 'phone', 'officer_initiated', 'other');
CREATE TYPE crisis_type AS ENUM (
    'suicide', 'substance', 'psychosis', 'developmental', 'dementia', 'other'
);
CREATE TYPE responder_role AS ENUM ('primary', 'backup', 'co_responder');
CREATE TYPE disposition AS ENUM (
    'resolved_on_scene', 'referral', 'mobile_crisis', 'voluntary_transport',
    'involuntary_petition', 'er_transport', 'arrest', 'citation', 'unable_to_locate', 'other'
);
CREATE TYPE force_level AS ENUM ('none', 'presence', 'verbal', 'hands_on', 'restraint', 'weapon');
CREATE TYPE weapon AS ENUM ('none', 'knife', 'firearm', 'other');

-- A person in crisis, known to the RMS by a pseudonymous id. Identity lives here alone, where
-- few roles may read it.
CREATE TABLE subjects (
    id            uuid PRIMARY KEY,
    source        text NOT NULL,
    external_id   text NOT NULL,
    year_of_birth integer,
    veteran       boolean,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    CONSTRAINT subjects_source_external_id_key UNIQUE (source, external_id),
    CONSTRAINT subjects_year_of_birth_range CHECK (year_of_birth BETWEEN 1900 AND 2100)
);

CREATE TABLE calls (
    id                    uuid PRIMARY KEY,
    source                text NOT NULL,
    incident_number       text NOT NULL,
    received_at           timestamptz NOT NULL,
    -- received_at's date in the city's time zone, set at ingest: the call's day for every
    -- figure (CIT on scene, months).
    received_on           date NOT NULL,
    dispatched_at         timestamptz,
    arrived_at            timestamptz,
    cleared_at            timestamptz,
    call_type             text,
    call_type_description text,
    priority              text,
    call_source           call_source,
    address               text,
    beat                  text,
    district              text,
    latitude              double precision,
    longitude             double precision,
    mental_health         boolean NOT NULL,
    crisis_types          crisis_type[] NOT NULL DEFAULT '{}',
    cit_requested         boolean,
    subject_id            uuid REFERENCES subjects (id),
    dispositions          disposition[] NOT NULL DEFAULT '{}',
    force_level           force_level,
    subject_injured       boolean,
    officer_injured       boolean,
    weapon_involved       weapon,
    -- Any responder held an active CIT certification on received_on.
    cit_on_scene          boolean NOT NULL DEFAULT false,
    -- SHA-256 of the call as last accepted: a re-sent call with the same digest is unchanged.
    content_digest        bytea NOT NULL,
    version               integer NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    CONSTRAINT calls_source_incident_number_key UNIQUE (source, incident_number),
    CONSTRAINT calls_latitude_range CHECK (latitude BETWEEN -90 AND 90),
    CONSTRAINT calls_longitude_range CHECK (longitude BETWEEN -180 AND 180),
    CONSTRAINT calls_coordinates_paired CHECK ((latitude IS NULL) = (longitude IS NULL)),
    CONSTRAINT calls_crisis_types_no_null CHECK (array_position(crisis_types, NULL) IS NULL),
    CONSTRAINT calls_dispositions_no_null CHECK (array_position(dispositions, NULL) IS NULL)
);
CREATE INDEX calls_received_on_idx ON calls (received_on);
CREATE INDEX calls_subject_idx ON calls (subject_id, received_at) WHERE subject_id IS NOT NULL;
CREATE INDEX calls_beat_idx ON calls (beat, id) WHERE beat IS NOT NULL;

-- Who answered a call: matched to personnel by employee number when the number is known (an
-- unknown number is kept, and linked when the person is added later).
CREATE TABLE call_responders (
    call_id               uuid NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    position              integer NOT NULL,
    employee_number       text NOT NULL,
    role                  responder_role NOT NULL,
    personnel_id          uuid REFERENCES personnel (id),
    -- The person held an active CIT certification on the call's day.
    cit_certified_at_call boolean NOT NULL DEFAULT false,
    PRIMARY KEY (call_id, position),
    CONSTRAINT call_responders_number_once UNIQUE (call_id, employee_number)
);
CREATE INDEX call_responders_personnel_idx ON call_responders (personnel_id)
    WHERE personnel_id IS NOT NULL;
CREATE INDEX call_responders_unmatched_idx ON call_responders (employee_number)
    WHERE personnel_id IS NULL;
