-- The call metrics' counts per city day, kept up to date by every writer of calls (ingest, and
-- the CIT refresh after certification or roster changes) as deltas, so a year of metrics reads
-- 365 rows instead of every call. The same definitions as the plain SQL over `calls`
-- (metrics::calls::model); tests hold the two equal. rebuild_call_days() recomputes it all
-- (after a bulk load that bypassed the service).
CREATE TABLE call_days (
    day                   date PRIMARY KEY,
    calls                 bigint NOT NULL DEFAULT 0,
    mental_health_calls   bigint NOT NULL DEFAULT 0,
    cit_on_scene          bigint NOT NULL DEFAULT 0,
    arrests               bigint NOT NULL DEFAULT 0,
    uses_of_force         bigint NOT NULL DEFAULT 0,
    injuries              bigint NOT NULL DEFAULT 0,
    er_transports         bigint NOT NULL DEFAULT 0,
    involuntary_petitions bigint NOT NULL DEFAULT 0,
    referrals             bigint NOT NULL DEFAULT 0
);

CREATE FUNCTION rebuild_call_days() RETURNS void
LANGUAGE sql AS $$
    DELETE FROM call_days;
    INSERT INTO call_days
    SELECT received_on, count(*),
           count(*) FILTER (WHERE mental_health),
           count(*) FILTER (WHERE mental_health AND cit_on_scene),
           count(*) FILTER (WHERE mental_health AND 'arrest' = ANY (dispositions)),
           count(*) FILTER (WHERE mental_health
                              AND force_level IN ('hands_on', 'restraint', 'weapon')),
           count(*) FILTER (WHERE mental_health AND (subject_injured OR officer_injured)),
           count(*) FILTER (WHERE mental_health AND 'er_transport' = ANY (dispositions)),
           count(*) FILTER (WHERE mental_health AND 'involuntary_petition' = ANY (dispositions)),
           count(*) FILTER (WHERE mental_health AND 'referral' = ANY (dispositions))
      FROM calls GROUP BY received_on;
$$;

SELECT rebuild_call_days();

-- The repeat-call window: subjects by day, read from the index alone.
CREATE INDEX calls_day_subject_idx ON calls (received_on, subject_id) WHERE subject_id IS NOT NULL;
