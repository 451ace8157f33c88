-- Certification goals: a share of a population certified by a deadline.

CREATE TABLE goals (
    id                       uuid PRIMARY KEY,
    name                     text NOT NULL,
    certification_type_ids   uuid[] NOT NULL,
    departments              department[] NOT NULL DEFAULT '{}',
    roles                    personnel_role[] NOT NULL DEFAULT '{}',
    include_designated_staff boolean NOT NULL DEFAULT true,
    target_share             double precision NOT NULL,
    start_date               date NOT NULL,
    deadline                 date NOT NULL,
    version                  integer NOT NULL DEFAULT 1,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT goals_types_not_empty CHECK (cardinality(certification_type_ids) > 0),
    CONSTRAINT goals_target_share_range CHECK (target_share > 0 AND target_share <= 1),
    CONSTRAINT goals_deadline_after_start CHECK (deadline > start_date)
);

-- The program's first public goal: 20% of officers and designated staff CIT-certified.
INSERT INTO goals (id, name, certification_type_ids, departments, roles,
                   include_designated_staff, target_share, start_date, deadline)
VALUES ('019b76da-a800-7000-8000-00000000000a',
        '20% of officers and designated staff CIT-certified',
        ARRAY['019b76da-a800-7000-8000-000000000001',
              '019b76da-a800-7000-8000-000000000003']::uuid[],
        '{}', ARRAY['officer']::personnel_role[], true, 0.20, '2026-01-01', '2027-12-31');
