-- The outcomes of mental-health calls with CIT on scene, kept per day beside the totals, so
-- /metrics/outcomes (and the dashboard's outcomes) read a year as 365 rows instead of a year of
-- calls: those without CIT are the totals less these. Injuries are split into the subject's
-- and an officer's, as the outcomes report them. Kept by the same writers as the other counts.
ALTER TABLE call_days
    ADD COLUMN subject_injuries          bigint NOT NULL DEFAULT 0,
    ADD COLUMN officer_injuries          bigint NOT NULL DEFAULT 0,
    ADD COLUMN cit_arrests               bigint NOT NULL DEFAULT 0,
    ADD COLUMN cit_uses_of_force         bigint NOT NULL DEFAULT 0,
    ADD COLUMN cit_subject_injuries      bigint NOT NULL DEFAULT 0,
    ADD COLUMN cit_officer_injuries      bigint NOT NULL DEFAULT 0,
    ADD COLUMN cit_er_transports         bigint NOT NULL DEFAULT 0,
    ADD COLUMN cit_involuntary_petitions bigint NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION rebuild_call_days() RETURNS void
LANGUAGE sql AS $$
    DELETE FROM call_days;
    INSERT INTO call_days (day, calls, mental_health_calls, cit_on_scene, arrests, uses_of_force,
                           injuries, er_transports, involuntary_petitions, referrals,
                           subject_injuries, officer_injuries, cit_arrests, cit_uses_of_force,
                           cit_subject_injuries, cit_officer_injuries, cit_er_transports,
                           cit_involuntary_petitions)
    SELECT received_on, count(*),
           count(*) FILTER (WHERE mental_health),
           count(*) FILTER (WHERE mental_health AND cit_on_scene),
           count(*) FILTER (WHERE mental_health AND 'arrest' = ANY (dispositions)),
           count(*) FILTER (WHERE mental_health
                              AND force_level IN ('hands_on', 'restraint', 'weapon')),
           count(*) FILTER (WHERE mental_health AND (subject_injured OR officer_injured)),
           count(*) FILTER (WHERE mental_health AND 'er_transport' = ANY (dispositions)),
           count(*) FILTER (WHERE mental_health AND 'involuntary_petition' = ANY (dispositions)),
           count(*) FILTER (WHERE mental_health AND 'referral' = ANY (dispositions)),
           count(*) FILTER (WHERE mental_health AND subject_injured),
           count(*) FILTER (WHERE mental_health AND officer_injured),
           count(*) FILTER (WHERE mental_health AND cit_on_scene
                              AND 'arrest' = ANY (dispositions)),
           count(*) FILTER (WHERE mental_health AND cit_on_scene
                              AND force_level IN ('hands_on', 'restraint', 'weapon')),
           count(*) FILTER (WHERE mental_health AND cit_on_scene AND subject_injured),
           count(*) FILTER (WHERE mental_health AND cit_on_scene AND officer_injured),
           count(*) FILTER (WHERE mental_health AND cit_on_scene
                              AND 'er_transport' = ANY (dispositions)),
           count(*) FILTER (WHERE mental_health AND cit_on_scene
                              AND 'involuntary_petition' = ANY (dispositions))
      FROM calls GROUP BY received_on;
$$;

SELECT rebuild_call_days();
