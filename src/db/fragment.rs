//! [`StaticSql`]: an expression written as fixed SQL text, for what diesel's DSL cannot say (a
//! correlated subquery). Unlike `diesel::dsl::sql`, whose text may differ from one call to the
//! next and which therefore makes its statement unpreparable (planned again on every run: the
//! personnel detail's database time went from 88 to 234 µs), a `&'static str` is the same
//! every time, so the statement is prepared once per connection like any other.

use std::marker::PhantomData;

use diesel::expression::{
    AppearsOnTable, Expression, SelectableExpression, TypedExpressionType, ValidGrouping,
};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::SqlType;

/// Fixed SQL text of type `ST`, with no bind parameters. It may name any table of the query it
/// is placed in; diesel cannot check that, so keep it next to the query and test the query.
#[derive(Debug, Clone, Copy)]
pub struct StaticSql<ST> {
    sql: &'static str,
    _type: PhantomData<ST>,
}

/// `sql` as an expression of type `ST`.
pub const fn static_sql<ST>(sql: &'static str) -> StaticSql<ST> {
    StaticSql {
        sql,
        _type: PhantomData,
    }
}

impl<ST: SqlType + TypedExpressionType> Expression for StaticSql<ST> {
    type SqlType = ST;
}

impl<ST> QueryFragment<Pg> for StaticSql<ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> diesel::QueryResult<()> {
        out.push_sql(self.sql);
        Ok(())
    }
}

impl<ST> QueryId for StaticSql<ST> {
    // The text is not part of the type, so statements holding one are cached by their SQL.
    // Never make this `true`: every `StaticSql<ST>` would share one cache key whatever its text.
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST, QS> AppearsOnTable<QS> for StaticSql<ST> where Self: Expression {}

impl<ST, QS> SelectableExpression<QS> for StaticSql<ST> where Self: Expression {}

impl<ST> ValidGrouping<()> for StaticSql<ST> {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}
