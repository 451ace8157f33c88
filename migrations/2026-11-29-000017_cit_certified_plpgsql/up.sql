-- A LANGUAGE sql function whose body holds a subquery is never inlined, and PostgreSQL plans
-- its body again on every execution of the statement that calls it: 0.16 ms of planning for a
-- 0.01 ms lookup, which made `GET /personnel/{id}` cost the database ~15 times the row read
-- (BENCHMARKS.md, "Personnel read"). PL/pgSQL keeps the plan for the session. Same rule, same
-- signature, same answers.
CREATE OR REPLACE FUNCTION cit_certified_on(person uuid, day date, zone text) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN EXISTS (
        SELECT 1
          FROM certifications c
          JOIN certification_types t ON t.id = c.certification_type_id
         WHERE c.personnel_id = person
           AND t.counts_as_cit
           AND certification_valid_on(c.issued_on, c.expires_on, c.revoked_at, day, zone)
    );
END
$$;
