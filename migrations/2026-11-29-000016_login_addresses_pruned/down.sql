DROP FUNCTION release_login(text, timestamptz);
CREATE FUNCTION release_login(address text, at timestamptz) RETURNS void
LANGUAGE sql AS $$
    UPDATE login_addresses
       SET attempts = attempts[:array_position(attempts, at) - 1]
                   || attempts[array_position(attempts, at) + 1:]
     WHERE ip = address AND at = ANY (attempts);
$$;

CREATE OR REPLACE FUNCTION admit_login(address text, at timestamptz, period interval, attempt_limit integer)
RETURNS timestamptz
LANGUAGE plpgsql AS $$
DECLARE
    recent timestamptz[];
BEGIN
    INSERT INTO login_addresses (ip) VALUES (address) ON CONFLICT (ip) DO NOTHING;
    SELECT ARRAY(SELECT t FROM unnest(a.attempts) t WHERE t > at - period ORDER BY t)
      INTO recent
      FROM login_addresses a
     WHERE a.ip = address
       FOR UPDATE;
    IF cardinality(recent) >= attempt_limit THEN
        UPDATE login_addresses SET attempts = recent WHERE ip = address;
        RETURN recent[1] + period;
    END IF;
    UPDATE login_addresses SET attempts = recent || at WHERE ip = address;
    RETURN NULL;
END
$$;

DROP INDEX login_addresses_last_at_idx;
ALTER TABLE login_addresses DROP COLUMN last_at;
