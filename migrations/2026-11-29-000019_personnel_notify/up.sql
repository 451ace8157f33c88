-- Each instance caches people's details as `GET /personnel/{id}` renders them
-- (personnel::cache) and must forget them the moment any table they are read from changes,
-- whoever changed it. One notification a statement, not a row (an import of thousands of
-- people sends one; identical notifications in a transaction are sent once), delivered at
-- commit and only if the transaction commits; every instance then forgets every detail.
CREATE FUNCTION notify_personnel_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('cit_personnel', 'all');
    RETURN NULL;
END
$$;

CREATE TRIGGER personnel_detail_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON personnel
    FOR EACH STATEMENT EXECUTE FUNCTION notify_personnel_changed();
CREATE TRIGGER certifications_detail_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON certifications
    FOR EACH STATEMENT EXECUTE FUNCTION notify_personnel_changed();
-- Whether a type counts as CIT decides a person's flag.
CREATE TRIGGER certification_types_detail_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON certification_types
    FOR EACH STATEMENT EXECUTE FUNCTION notify_personnel_changed();
CREATE TRIGGER enrollments_detail_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON enrollments
    FOR EACH STATEMENT EXECUTE FUNCTION notify_personnel_changed();
