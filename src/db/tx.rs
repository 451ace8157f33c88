//! [`Tx`]: a connection inside an open transaction, as a type. A function whose correctness
//! needs a transaction (it locks rows with `FOR UPDATE`, which without one are released at
//! once, or it writes several statements that must stand or fall together) takes `&mut Tx`
//! instead of saying so in a comment, so every caller must have begun one. Services begin the
//! transaction (`conn.transaction(async |conn| { let tx = &mut Tx::of(conn)?; … })`) and pass
//! it down; model queries that need none take `&mut AsyncPgConnection`, which a `&mut Tx`
//! coerces to.

use std::ops::{Deref, DerefMut};

use diesel::connection::TransactionManagerStatus;
use diesel_async::{AnsiTransactionManager, AsyncPgConnection, TransactionManager};

use crate::error::AppError;

/// A connection with an open transaction.
pub struct Tx<'c> {
    conn: &'c mut AsyncPgConnection,
}

impl<'c> Tx<'c> {
    /// The connection of an open transaction; an error (a bug) when none is open.
    pub fn of(conn: &'c mut AsyncPgConnection) -> Result<Self, AppError> {
        let open = match AnsiTransactionManager::transaction_manager_status_mut(conn) {
            TransactionManagerStatus::Valid(status) => status.transaction_depth().is_some(),
            TransactionManagerStatus::InError => false,
        };
        if open {
            Ok(Self { conn })
        } else {
            Err(AppError::Internal(
                "a transactional step was called outside a transaction".into(),
            ))
        }
    }

    /// The underlying connection, for diesel's generic `execute`/`load`.
    pub fn conn(&mut self) -> &mut AsyncPgConnection {
        self.conn
    }
}

impl std::fmt::Debug for Tx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tx")
    }
}

impl Deref for Tx<'_> {
    type Target = AsyncPgConnection;

    fn deref(&self) -> &AsyncPgConnection {
        self.conn
    }
}

impl DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut AsyncPgConnection {
        self.conn
    }
}
