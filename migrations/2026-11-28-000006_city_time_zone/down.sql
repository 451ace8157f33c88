DROP FUNCTION cit_certified_on(uuid, date, text);
DROP FUNCTION certification_status_on(date, timestamptz, date, text);
DROP FUNCTION certification_valid_on(date, date, timestamptz, date, text);

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
