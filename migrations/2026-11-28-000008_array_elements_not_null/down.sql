ALTER TABLE goals
    DROP CONSTRAINT goals_roles_no_null,
    DROP CONSTRAINT goals_departments_no_null,
    DROP CONSTRAINT goals_types_no_null;
ALTER TABLE users DROP CONSTRAINT users_roles_no_null;
