//! The closed set of error codes every client sees, and the error type services return.
//!
//! A GraphQL error carries `extensions.code` (one of [`ErrorCode`]), a Russian `message`,
//! `extensions.messageEn`, and for VALIDATION the offending `extensions.field`. Internal causes
//! are logged with the request id and never sent; the client gets INTERNAL and that id.

use std::fmt;

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// Every code a client may see in `extensions.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    Validation,
    Conflict,
    SlotTaken,
    HoldExpired,
    ResourceBusy,
    ResourceBooked,
    OutOfOrder,
    InsufficientFunds,
    RateLimited,
    /// The database or another dependency is briefly away: try again shortly.
    Unavailable,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Validation => "VALIDATION",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::SlotTaken => "SLOT_TAKEN",
            ErrorCode::HoldExpired => "HOLD_EXPIRED",
            ErrorCode::ResourceBusy => "RESOURCE_BUSY",
            ErrorCode::ResourceBooked => "RESOURCE_BOOKED",
            ErrorCode::OutOfOrder => "OUT_OF_ORDER",
            ErrorCode::InsufficientFunds => "INSUFFICIENT_FUNDS",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::Unavailable => "UNAVAILABLE",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A message in both languages of the API: Russian first, English second.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub ru: String,
    pub en: String,
}

impl Msg {
    pub fn new(ru: impl Into<String>, en: impl Into<String>) -> Self {
        Msg {
            ru: ru.into(),
            en: en.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{}", .0.en)]
    Unauthenticated(Msg),
    #[error("{}", .0.en)]
    Forbidden(Msg),
    #[error("{} {id} not found", .entity.en)]
    NotFound { entity: Msg, id: String },
    #[error("{field}: {}", .msg.en)]
    Validation { field: String, msg: Msg },
    #[error("{}", .0.en)]
    Conflict(Msg),
    #[error("{}", .0.en)]
    SlotTaken(Msg),
    /// A time is taken on a named resource: code SLOT_TAKEN, with the resource and the taken
    /// interval (in the location's time) in `extensions` as well as in the message.
    #[error("{}", .0.msg.en)]
    Taken(Box<TakenBy>),
    /// A slot hold ran out or never existed.
    #[error("{}", .0.en)]
    HoldExpired(Msg),
    /// A resource is taken by a session now.
    #[error("{}", .0.en)]
    ResourceBusy(Msg),
    /// A resource is held by a booking for that time.
    #[error("{}", .0.en)]
    ResourceBooked(Msg),
    /// A resource is out of order.
    #[error("{}", .0.en)]
    OutOfOrder(Msg),
    #[error("{}", .0.en)]
    InsufficientFunds(Msg),
    #[error("{}", .msg.en)]
    RateLimited { msg: Msg, retry_after_secs: u64 },
    /// A dependency failed in a way that passes (a lost connection, a busy or locked database,
    /// a serialization failure): the unit of work retries it; the cause is for the log only.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A dependency is away for longer than a retry loop waits (Redis down for slot holds):
    /// code UNAVAILABLE with a message of what does not work now and a longer
    /// `retryAfterSeconds`. The unit of work does not retry it; the cause is for the log only.
    #[error("{}", .msg.en)]
    Away {
        msg: Msg,
        retry_after_secs: u64,
        cause: String,
    },
    /// The cause is for the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

/// What a SLOT_TAKEN refusal names: the resource and the interval it is taken for.
#[derive(Debug)]
pub struct TakenBy {
    pub msg: Msg,
    pub resource_id: i64,
    pub resource: String,
    /// RFC 3339 in the location's offset.
    pub from: String,
    pub to: String,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Unauthenticated(_) => ErrorCode::Unauthenticated,
            AppError::Forbidden(_) => ErrorCode::Forbidden,
            AppError::NotFound { .. } => ErrorCode::NotFound,
            AppError::Validation { .. } => ErrorCode::Validation,
            AppError::Conflict(_) => ErrorCode::Conflict,
            AppError::SlotTaken(_) | AppError::Taken(_) => ErrorCode::SlotTaken,
            AppError::HoldExpired(_) => ErrorCode::HoldExpired,
            AppError::ResourceBusy(_) => ErrorCode::ResourceBusy,
            AppError::ResourceBooked(_) => ErrorCode::ResourceBooked,
            AppError::OutOfOrder(_) => ErrorCode::OutOfOrder,
            AppError::InsufficientFunds(_) => ErrorCode::InsufficientFunds,
            AppError::RateLimited { .. } => ErrorCode::RateLimited,
            AppError::Unavailable(_) | AppError::Away { .. } => ErrorCode::Unavailable,
            AppError::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn unauthenticated() -> Self {
        AppError::Unauthenticated(Msg::new(
            "Требуется вход: передайте токен доступа в заголовке Authorization",
            "Sign in first: send an access token in the Authorization header",
        ))
    }

    pub fn forbidden() -> Self {
        AppError::Forbidden(Msg::new(
            "Недостаточно прав для этого действия",
            "Your role may not do this",
        ))
    }

    pub fn not_found(entity_ru: &str, entity_en: &str, id: impl ToString) -> Self {
        AppError::NotFound {
            entity: Msg::new(entity_ru, entity_en),
            id: id.to_string(),
        }
    }

    pub fn validation(
        field: impl Into<String>,
        ru: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        AppError::Validation {
            field: field.into(),
            msg: Msg::new(ru, en),
        }
    }

    pub fn conflict(ru: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::Conflict(Msg::new(ru, en))
    }

    pub fn internal(cause: impl fmt::Display) -> Self {
        AppError::Internal(cause.to_string())
    }

    /// What the error says to a person, in Russian and English.
    pub fn message(&self) -> Msg {
        match self {
            AppError::Unauthenticated(m)
            | AppError::Forbidden(m)
            | AppError::Conflict(m)
            | AppError::SlotTaken(m)
            | AppError::HoldExpired(m)
            | AppError::ResourceBusy(m)
            | AppError::ResourceBooked(m)
            | AppError::OutOfOrder(m)
            | AppError::InsufficientFunds(m)
            | AppError::RateLimited { msg: m, .. }
            | AppError::Away { msg: m, .. } => m.clone(),
            AppError::Taken(t) => t.msg.clone(),
            AppError::NotFound { entity, id } => Msg::new(
                format!("{} с id {id} не найден(а)", entity.ru),
                format!("{} with id {id} not found", entity.en),
            ),
            AppError::Validation { field, msg } => Msg::new(
                format!("Поле «{field}»: {}", msg.ru),
                format!("Field `{field}`: {}", msg.en),
            ),
            AppError::Unavailable(_) => Msg::new(
                "Сервис на мгновение недоступен: повторите через несколько секунд",
                "The service is briefly unavailable: try again in a few seconds",
            ),
            AppError::Internal(_) => Msg::new(
                "Внутренняя ошибка сервера; сообщите администратору код запроса (requestId)",
                "Internal server error; give the administrator the requestId",
            ),
        }
    }
}

/// What a database refusal means for the person who caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbRefusal {
    Unique,
    ForeignKey,
    Check,
    Exclusion,
    /// Text the database cannot store (PostgreSQL refuses NUL and invalid encodings).
    BadText,
    /// A number or time outside what the column holds.
    OutOfRange,
}

impl DbRefusal {
    /// Reads the driver's code (SQLSTATE on PostgreSQL, the extended result code on
    /// SQLite) wherever the error was raised: a statement, or a commit that checked deferred
    /// constraints.
    pub fn of(err: &DbErr) -> Option<DbRefusal> {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => return Some(DbRefusal::Unique),
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => return Some(DbRefusal::ForeignKey),
            _ => {}
        }
        let runtime = match err {
            DbErr::Exec(e) | DbErr::Query(e) | DbErr::Conn(e) => e,
            _ => return None,
        };
        let RuntimeErr::SqlxError(sqlx) = runtime else {
            return None;
        };
        let sea_orm::sqlx::Error::Database(db) = &**sqlx else {
            return None;
        };
        // SQLite reports a RESTRICT foreign key as a trigger constraint (1811): its text says
        // which rule it was.
        let message = db.message();
        if message.starts_with("FOREIGN KEY constraint failed") {
            return Some(DbRefusal::ForeignKey);
        }
        if message.starts_with("CHECK constraint failed") {
            return Some(DbRefusal::Check);
        }
        let code = db.code().unwrap_or_default();
        Some(match code.as_ref() {
            "23505" | "1555" | "2067" => DbRefusal::Unique,
            "23503" | "787" => DbRefusal::ForeignKey,
            "23514" | "275" => DbRefusal::Check,
            "23P01" => DbRefusal::Exclusion,
            "22021" | "22P05" => DbRefusal::BadText,
            "22003" | "22008" | "22007" => DbRefusal::OutOfRange,
            _ => return None,
        })
    }
}

impl From<DbErr> for AppError {
    /// Constraint violations that a service did not foresee become CONFLICT with their
    /// reason; values the database cannot hold become VALIDATION; anything else is an
    /// internal failure.
    fn from(err: DbErr) -> Self {
        match DbRefusal::of(&err) {
            Some(DbRefusal::Unique) => AppError::conflict(
                "Такая запись уже существует: значение должно быть уникальным",
                "Such a record already exists: the value must be unique",
            ),
            Some(DbRefusal::ForeignKey) => AppError::conflict(
                "Запись связана с другими данными (история, платежи, записи): сначала измените \
                 или удалите их, либо отключите запись вместо удаления",
                "The record is linked to other data (history, payments, bookings): change or \
                 remove that first, or deactivate the record instead of deleting it",
            ),
            Some(DbRefusal::Check) => AppError::conflict(
                "Значение нарушает правило данных (например, отрицательное количество или \
                 конец раньше начала)",
                "A value breaks a data rule (a negative count, say, or an end before its start)",
            ),
            Some(DbRefusal::Exclusion) => AppError::conflict(
                "Это время уже занято другой записью",
                "That time is already taken by another record",
            ),
            Some(DbRefusal::BadText) => AppError::validation(
                "input",
                "текст содержит символы, которые нельзя сохранить",
                "the text contains characters that cannot be stored",
            ),
            Some(DbRefusal::OutOfRange) => AppError::validation(
                "input",
                "число или дата вне допустимого диапазона",
                "a number or date is out of the accepted range",
            ),
            None if is_transient(&err) => AppError::Unavailable(err.to_string()),
            None => AppError::Internal(err.to_string()),
        }
    }
}

/// Whether a database error passes if the work is tried again: SQLite busy or locked, a
/// PostgreSQL serialization failure or deadlock, or a connection lost, closed or not to be had.
pub fn is_transient(err: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, sqlx::Error};
    let sqlx = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        _ => return false,
    };
    match sqlx.as_ref() {
        Error::Io(_) | Error::PoolTimedOut | Error::PoolClosed | Error::WorkerCrashed => true,
        Error::Protocol(_) => true,
        Error::Database(db) => matches!(
            db.code().as_deref(),
            // PostgreSQL: serialization failure, deadlock, admin shutdown / terminated backend,
            // cannot connect now, and the connection exceptions (class 08). SQLite: BUSY,
            // LOCKED and their extended codes.
            Some(
                "40001"
                    | "40P01"
                    | "57P01"
                    | "57P02"
                    | "57P03"
                    | "08000"
                    | "08003"
                    | "08006"
                    | "08001"
                    | "08004"
                    | "5"
                    | "6"
                    | "261"
                    | "262"
                    | "517"
            )
        ),
        _ => false,
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        match self {
            AppError::Internal(cause) => tracing::error!(%cause, "internal error"),
            AppError::Unavailable(cause) | AppError::Away { cause, .. } => {
                tracing::warn!(%cause, "dependency unavailable")
            }
            _ => {}
        }
        let msg = self.message();
        async_graphql::Error::new(msg.ru).extend_with(|_, ext| {
            ext.set("code", self.code().as_str());
            ext.set("messageEn", msg.en);
            match self {
                AppError::Validation { field, .. } => ext.set("field", field.as_str()),
                AppError::RateLimited {
                    retry_after_secs, ..
                } => ext.set("retryAfterSeconds", *retry_after_secs),
                AppError::Unavailable(_) => ext.set("retryAfterSeconds", 1),
                AppError::Away {
                    retry_after_secs, ..
                } => ext.set("retryAfterSeconds", *retry_after_secs),
                AppError::Taken(t) => {
                    ext.set("resourceId", t.resource_id.to_string());
                    ext.set("resourceName", t.resource.as_str());
                    ext.set("takenFrom", t.from.as_str());
                    ext.set("takenTo", t.to.as_str());
                }
                _ => {}
            }
        })
    }
}

/// Turns a service result into a resolver result, attaching the code and messages.
pub trait IntoGql<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> IntoGql<T> for AppResult<T> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| e.extend())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_the_field_in_both_languages() {
        let err = AppError::validation("timezone", "неизвестный часовой пояс", "unknown timezone")
            .extend();
        assert_eq!(err.message, "Поле «timezone»: неизвестный часовой пояс");
        let ext = err.extensions.expect("extensions");
        assert_eq!(
            ext.get("code"),
            Some(&async_graphql::Value::from("VALIDATION"))
        );
        assert_eq!(
            ext.get("field"),
            Some(&async_graphql::Value::from("timezone"))
        );
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let err = AppError::internal("no such table: zone").extend();
        assert!(!err.message.contains("zone"));
        let ext = err.extensions.expect("extensions");
        assert_eq!(
            ext.get("code"),
            Some(&async_graphql::Value::from("INTERNAL"))
        );
    }
}
