DROP INDEX calls_day_subject_idx;
DROP FUNCTION rebuild_call_days();
DROP TABLE call_days;
