DROP FUNCTION release_login(text, timestamptz);
DROP FUNCTION admit_login(text, timestamptz, interval, integer);
DROP TABLE login_addresses;
