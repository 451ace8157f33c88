-- Array columns hold no NULL elements: the Rust side reads them as `Vec<T>`, not
-- `Vec<Option<T>>` (src/db/schema.patch says so to diesel print-schema; these make it true).
ALTER TABLE users
    ADD CONSTRAINT users_roles_no_null CHECK (array_position(roles, NULL) IS NULL);
ALTER TABLE goals
    ADD CONSTRAINT goals_types_no_null CHECK (array_position(certification_type_ids, NULL) IS NULL),
    ADD CONSTRAINT goals_departments_no_null CHECK (array_position(departments, NULL) IS NULL),
    ADD CONSTRAINT goals_roles_no_null CHECK (array_position(roles, NULL) IS NULL);
