ALTER TABLE call_days
    DROP COLUMN subject_injuries,
    DROP COLUMN officer_injuries,
    DROP COLUMN cit_arrests,
    DROP COLUMN cit_uses_of_force,
    DROP COLUMN cit_subject_injuries,
    DROP COLUMN cit_officer_injuries,
    DROP COLUMN cit_er_transports,
    DROP COLUMN cit_involuntary_petitions;

CREATE OR REPLACE FUNCTION rebuild_call_days() RETURNS void
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
