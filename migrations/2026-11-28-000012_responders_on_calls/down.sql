CREATE TYPE responder_role AS ENUM ('primary', 'backup', 'co_responder');
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

INSERT INTO call_responders (call_id, position, employee_number, role, personnel_id,
                             cit_certified_at_call)
SELECT c.id, (r.n - 1)::integer, r.value ->> 'employee_number',
       (r.value ->> 'role')::responder_role, (r.value ->> 'personnel_id')::uuid,
       (r.value ->> 'cit_certified_at_call')::boolean
  FROM calls c, jsonb_array_elements(c.responders) WITH ORDINALITY AS r(value, n);

ALTER TABLE calls
    DROP COLUMN responders;
