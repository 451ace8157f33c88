-- Addresses are forgotten once nothing of theirs is left in the period, so login_addresses holds
-- what the window needs however many addresses have ever tried (an IPv6 client has plenty):
-- `last_at` (its newest attempt, indexed) finds the stale rows, every admission deletes up to a
-- hundred of them (skipping any another login holds), and a right password that leaves an
-- address with no attempt deletes its row at once.
ALTER TABLE login_addresses ADD COLUMN last_at timestamptz NOT NULL DEFAULT '-infinity';
UPDATE login_addresses
   SET last_at = coalesce((SELECT max(t) FROM unnest(attempts) t), '-infinity');
CREATE INDEX login_addresses_last_at_idx ON login_addresses (last_at);

-- As before, and: the row is made and locked in one statement (an upsert), so a row deleted by
-- a concurrent release is made anew rather than missed; stale rows are pruned first.
CREATE OR REPLACE FUNCTION admit_login(address text, at timestamptz, period interval, attempt_limit integer)
RETURNS timestamptz
LANGUAGE plpgsql AS $$
DECLARE
    held timestamptz[];
    recent timestamptz[];
BEGIN
    DELETE FROM login_addresses
     WHERE ip IN (SELECT s.ip FROM login_addresses s
                   WHERE s.last_at <= at - period AND s.ip <> address
                   ORDER BY s.last_at
                   LIMIT 100
                     FOR UPDATE SKIP LOCKED);
    INSERT INTO login_addresses AS a (ip, last_at) VALUES (address, at)
        ON CONFLICT (ip) DO UPDATE SET ip = a.ip
        RETURNING a.attempts INTO held;
    recent := ARRAY(SELECT t FROM unnest(held) t WHERE t > at - period ORDER BY t);
    IF cardinality(recent) >= attempt_limit THEN
        UPDATE login_addresses SET attempts = recent WHERE ip = address;
        RETURN recent[1] + period;
    END IF;
    UPDATE login_addresses
       SET attempts = recent || at, last_at = greatest(last_at, at)
     WHERE ip = address;
    RETURN NULL;
END
$$;

-- Takes back one attempt made at `at` (its password was right); an address left with none is
-- forgotten.
CREATE OR REPLACE FUNCTION release_login(address text, at timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    left_over integer;
BEGIN
    UPDATE login_addresses
       SET attempts = attempts[:array_position(attempts, at) - 1]
                   || attempts[array_position(attempts, at) + 1:]
     WHERE ip = address AND at = ANY (attempts)
    RETURNING cardinality(attempts) INTO left_over;
    IF left_over = 0 THEN
        DELETE FROM login_addresses WHERE ip = address;
    END IF;
END
$$;
