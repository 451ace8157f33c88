-- Officers and designated staff. Separation is a status with a date, never a deletion, so
-- progress can be computed as of any past date.

CREATE TYPE department AS ENUM ('police', 'fire', 'communications', 'social_services');
CREATE TYPE personnel_role AS ENUM (
    'officer', 'supervisor', 'telecommunicator', 'clinician', 'firefighter', 'paramedic', 'civilian'
);
CREATE TYPE personnel_status AS ENUM ('active', 'leave', 'separated');

CREATE TABLE personnel (
    id               uuid PRIMARY KEY,
    employee_number  text NOT NULL,
    first_name       text NOT NULL,
    last_name        text NOT NULL,
    department       department NOT NULL,
    role             personnel_role NOT NULL,
    rank             text,
    shift            text,
    hire_date        date NOT NULL,
    separation_date  date,
    status           personnel_status NOT NULL DEFAULT 'active',
    designated_staff boolean NOT NULL DEFAULT false,
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT personnel_employee_number_key UNIQUE (employee_number),
    CONSTRAINT personnel_separation_after_hire
        CHECK (separation_date IS NULL OR separation_date >= hire_date),
    CONSTRAINT personnel_separated_iff_dated
        CHECK ((status = 'separated') = (separation_date IS NOT NULL))
);
CREATE INDEX personnel_department_role_idx ON personnel (department, role);

ALTER TABLE users
    ADD CONSTRAINT users_personnel_id_fkey FOREIGN KEY (personnel_id) REFERENCES personnel (id);
