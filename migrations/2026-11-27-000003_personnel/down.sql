ALTER TABLE users DROP CONSTRAINT users_personnel_id_fkey;
DROP TABLE personnel;
DROP TYPE personnel_status;
DROP TYPE personnel_role;
DROP TYPE department;
