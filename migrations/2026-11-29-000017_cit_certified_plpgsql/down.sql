CREATE OR REPLACE FUNCTION cit_certified_on(person uuid, day date, zone text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (
        SELECT 1
          FROM certifications c
          JOIN certification_types t ON t.id = c.certification_type_id
         WHERE c.personnel_id = person
           AND t.counts_as_cit
           AND certification_valid_on(c.issued_on, c.expires_on, c.revoked_at, day, zone)
    )
$$;
