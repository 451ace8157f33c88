-- A call's responders live on the call itself, in `responders` (in the order sent: employee
-- number, role, matched person, CIT-certified on the call's day), with a GIN index by which a
-- certification or roster change finds the calls it affects (`responders @> '[{"personnel_id":
-- "…"}]'`, and the same by employee number). A batch of 5,000 calls writes 5,000 rows instead of
-- 15,000 with two foreign-key checks each, and a call reads in one statement. Responders are
-- written only by the ingest and the CIT refresh (src/calls), from the roster they have just
-- read; personnel are never deleted.
ALTER TABLE calls
    ADD COLUMN responders jsonb NOT NULL DEFAULT '[]',
    ADD CONSTRAINT calls_responders_array CHECK (jsonb_typeof(responders) = 'array');

UPDATE calls c
   SET responders = r.responders
  FROM (SELECT call_id,
               jsonb_agg(jsonb_build_object(
                   'employee_number', employee_number, 'role', role,
                   'personnel_id', personnel_id, 'cit_certified_at_call', cit_certified_at_call)
                   ORDER BY position) AS responders
          FROM call_responders GROUP BY call_id) r
 WHERE r.call_id = c.id;

DROP TABLE call_responders;
-- A role is now a label in JSON, checked by the ingest (src/db/enums.rs).
DROP TYPE responder_role;

CREATE INDEX calls_responders_idx ON calls USING gin (responders jsonb_path_ops);
