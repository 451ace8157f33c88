DROP TRIGGER enrollments_detail_changed ON enrollments;
DROP TRIGGER certification_types_detail_changed ON certification_types;
DROP TRIGGER certifications_detail_changed ON certifications;
DROP TRIGGER personnel_detail_changed ON personnel;
DROP FUNCTION notify_personnel_changed();
