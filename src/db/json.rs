//! `Json<T>`: a `jsonb` column read and written as a typed value (serde), for children stored on
//! their parent row (a partner's phones, a referral's transitions). A stored value that no
//! longer fits `T` is a deserialization error, not a silent default. Also read from a `json`
//! expression (a child list built by `json_agg`, cheaper for PostgreSQL to make than `jsonb`).

use std::fmt::Debug;
use std::io::Write;

use diesel::deserialize::{FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{IsNull, Output, ToSql};
use diesel::sql_types::{Json as SqlJson, Jsonb};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A typed `jsonb` value (or `json`, read only).
#[derive(Debug, Clone, Default, PartialEq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Jsonb)]
pub struct Json<T: Debug>(pub T);

impl<T: DeserializeOwned + Debug> FromSql<Jsonb, Pg> for Json<T> {
    fn from_sql(value: PgValue<'_>) -> diesel::deserialize::Result<Self> {
        let bytes = value.as_bytes();
        // jsonb's binary form: a version byte (1), then the JSON text.
        match bytes.split_first() {
            Some((1, text)) => Ok(Self(serde_json::from_slice(text)?)),
            _ => Err("unsupported jsonb version".into()),
        }
    }
}

impl<T: DeserializeOwned + Debug> FromSql<SqlJson, Pg> for Json<T> {
    fn from_sql(value: PgValue<'_>) -> diesel::deserialize::Result<Self> {
        // json's binary form is its text.
        Ok(Self(serde_json::from_slice(value.as_bytes())?))
    }
}

impl<T: Serialize + Debug> ToSql<Jsonb, Pg> for Json<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> diesel::serialize::Result {
        out.write_all(&[1])?;
        serde_json::to_writer(out, &self.0)?;
        Ok(IsNull::No)
    }
}
