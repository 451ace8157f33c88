ALTER TABLE users DROP CONSTRAINT users_partner_id_fkey;
DROP TABLE partner_services;
DROP TABLE partners;
DROP TYPE mou_status;
