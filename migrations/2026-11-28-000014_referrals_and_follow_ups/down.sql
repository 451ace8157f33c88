DROP TABLE follow_ups;
DROP TYPE follow_up_status;
DROP TYPE follow_up_method;
DROP TABLE referrals;
DROP TYPE consent_scope;
DROP TYPE consent_method;
DROP TYPE close_reason;
DROP TYPE referral_status;
