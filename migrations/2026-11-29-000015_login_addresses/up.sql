-- Logins per client address, kept in the database so every instance of the service counts the
-- same attempts: two replicas behind a load balancer throttle an address exactly as one does.
-- An attempt is counted when it is let through (so parallel guesses cannot all slip past while
-- argon2 checks them) and taken back when its password was right; what stays are failures,
-- and attempts whose instance died before it could tell.
CREATE TABLE login_addresses (
    ip       text PRIMARY KEY,
    attempts timestamptz[] NOT NULL DEFAULT '{}',
    CONSTRAINT login_addresses_attempts_no_null CHECK (array_position(attempts, NULL) IS NULL)
);

-- Lets one login from `address` go ahead at `at`, or refuses it when the address already has
-- `attempt_limit` attempts within `period` before `at`. Returns NULL when let through, else the
-- instant its oldest attempt leaves the period. One statement; the row lock serialises logins
-- from one address across every instance.
CREATE FUNCTION admit_login(address text, at timestamptz, period interval, attempt_limit integer)
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

-- Takes back one attempt made at `at` (its password was right).
CREATE FUNCTION release_login(address text, at timestamptz) RETURNS void
LANGUAGE sql AS $$
    UPDATE login_addresses
       SET attempts = attempts[:array_position(attempts, at) - 1]
                   || attempts[array_position(attempts, at) + 1:]
     WHERE ip = address AND at = ANY (attempts);
$$;
