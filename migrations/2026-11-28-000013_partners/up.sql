-- Community partners: the organizations the program refers people to, and the services each
-- offers. Read by the public (the resource directory, and the Open Referral HSDS 3.0 API at
-- /hsds), written by admins, clinicians and coordinators.

CREATE TYPE mou_status AS ENUM ('none', 'draft', 'signed', 'expired');

CREATE TABLE partners (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    website     text,
    email       text,
    -- [{number, description}], in the order given: written and read only with the partner.
    phones      jsonb NOT NULL DEFAULT '[]',
    -- {address_1, city, state_province, postal_code, country}, or null.
    address     jsonb,
    -- Internal: never shown to the public.
    mou_status  mou_status NOT NULL DEFAULT 'none',
    -- An inactive partner is kept (referrals name it) but leaves the public directory.
    active      boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CONSTRAINT partners_name_key UNIQUE (name),
    CONSTRAINT partners_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT partners_phones_array CHECK (jsonb_typeof(phones) = 'array'),
    CONSTRAINT partners_address_object CHECK (address IS NULL OR jsonb_typeof(address) = 'object')
);
CREATE INDEX partners_active_idx ON partners (id) WHERE active;

-- A partner's services. Their own rows, because each has a public id (HSDS) that referrals
-- name; a service taken off the partner's list is withdrawn, not deleted.
CREATE TABLE partner_services (
    id                uuid PRIMARY KEY,
    partner_id        uuid NOT NULL REFERENCES partners (id),
    -- Its place in the partner's list.
    position          integer NOT NULL,
    name              text NOT NULL,
    description       text NOT NULL DEFAULT '',
    categories        text[] NOT NULL DEFAULT '{}',
    eligibility       text,
    hours             text,
    accepts_referrals boolean NOT NULL DEFAULT true,
    withdrawn_at      timestamptz,
    updated_at        timestamptz NOT NULL,
    CONSTRAINT partner_services_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT partner_services_categories_no_null CHECK (array_position(categories, NULL) IS NULL)
);
CREATE INDEX partner_services_partner_idx ON partner_services (partner_id, position);

-- A partner user works for a partner that exists. Links made before partners existed are left
-- as they are (NOT VALID); every new or changed link is checked.
ALTER TABLE users
    ADD CONSTRAINT users_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES partners (id) NOT VALID;
