-- One "valid on a day" rule in the city's time zone. A revocation is an instant; the day it
-- counts from is its date in the city (`zone`, bound by the service from CIT_TIME_ZONE), never
-- in the session's TimeZone. Rust's twins are training::lifecycle::{valid_on,
-- certification_status}; tests run one table of cases through both.

CREATE FUNCTION certification_valid_on(
    issued_on date, expires_on date, revoked_at timestamptz, day date, zone text
) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT issued_on <= day
       AND (expires_on IS NULL OR expires_on > day)
       AND (revoked_at IS NULL OR (revoked_at AT TIME ZONE zone)::date > day)
$$;

CREATE FUNCTION certification_status_on(
    expires_on date, revoked_at timestamptz, day date, zone text
) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN revoked_at IS NOT NULL AND (revoked_at AT TIME ZONE zone)::date <= day THEN 'revoked'
        WHEN expires_on IS NOT NULL AND expires_on <= day THEN 'expired'
        ELSE 'active'
    END
$$;

DROP FUNCTION cit_certified_on(uuid, date);

CREATE FUNCTION cit_certified_on(person uuid, day date, zone text) RETURNS boolean
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
