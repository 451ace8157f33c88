DROP FUNCTION cit_certified_on(uuid, date);
DROP TABLE certifications;
DROP TABLE enrollments;
DROP TYPE enrollment_status;
DROP TABLE training_sessions;
DROP TYPE session_status;
DROP TABLE courses;
DROP TABLE certification_types;
