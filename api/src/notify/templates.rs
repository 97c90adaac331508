//! What a message says, in Russian or English.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{location, notification, service};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::Value;

use super::{engine::Recipient, prefs::Language};
use crate::{domain::timezone, error::AppResult};

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub title: String,
    pub body: String,
}

fn text<'a>(payload: &'a Value, path: &[&str]) -> &'a str {
    let mut at = payload;
    for key in path {
        match at.get(key) {
            Some(next) => at = next,
            None => return "",
        }
    }
    at.as_str().unwrap_or("")
}

fn int(payload: &Value, path: &[&str]) -> Option<i64> {
    let mut at = payload;
    for key in path {
        at = at.get(key)?;
    }
    at.as_i64()
}

fn instant(payload: &Value, path: &[&str]) -> Option<DateTime<Utc>> {
    text(payload, path).parse().ok()
}

fn money(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.abs();
    format!("{sign}{}.{:02}", minor / 100, minor % 100)
}

fn date(payload: &Value, key: &str) -> String {
    text(payload, &[key])
        .parse::<NaiveDate>()
        .map(|d| d.format("%d.%m.%Y").to_string())
        .unwrap_or_default()
}

/// Renders a message for its recipient in `lang`.
pub async fn render<C: ConnectionTrait>(
    conn: &C,
    row: &notification::Model,
    recipient: Recipient,
    lang: Language,
) -> AppResult<Message> {
    let place = match row.location_id {
        Some(id) => location::Entity::find_by_id(id).one(conn).await?,
        None => None,
    };
    let tz: Tz = place
        .as_ref()
        .and_then(|l| l.timezone.parse().ok())
        .unwrap_or(chrono_tz::UTC);
    let when =
        |at: Option<DateTime<Utc>>| at.map(|t| timezone::local_text(tz, t)).unwrap_or_default();
    let p = &row.payload;
    let ru = lang == Language::Ru;
    let staff = matches!(recipient, Recipient::User(_));
    let body = match row.kind.as_str() {
        kind @ ("appointment.booked" | "appointment.changed" | "appointment.cancelled") => {
            let service = match int(p, &["appointment", "service_id"]) {
                Some(id) => service::Entity::find_by_id(id)
                    .one(conn)
                    .await?
                    .map(|s| s.name)
                    .unwrap_or_default(),
                None => String::new(),
            };
            let at = when(instant(p, &["appointment", "starts_at"]));
            match (kind, ru, staff) {
                ("appointment.booked", true, false) => format!("Вы записаны: {service}, {at}"),
                ("appointment.booked", false, false) => format!("You are booked: {service}, {at}"),
                ("appointment.booked", true, true) => format!("Новая запись: {service}, {at}"),
                ("appointment.booked", false, true) => format!("New booking: {service}, {at}"),
                ("appointment.changed", true, _) => format!("Запись изменена: {service}, {at}"),
                ("appointment.changed", false, _) => format!("Booking changed: {service}, {at}"),
                (_, true, _) => format!("Запись отменена: {service}, {at}"),
                (_, false, _) => format!("Booking cancelled: {service}, {at}"),
            }
        }
        "lead.received" => {
            let (name, phone) = (text(p, &["name"]), text(p, &["phone"]));
            if ru {
                format!("Новая заявка: {name}, {phone}")
            } else {
                format!("New lead: {name}, {phone}")
            }
        }
        "session.ending" => {
            let minutes = instant(p, &["session", "ends_at"])
                .map(|end| (end - row.occurred_at).num_minutes().max(1))
                .unwrap_or(5);
            if ru {
                format!("Сеанс закончится через {minutes} мин.")
            } else {
                format!("Your session ends in {minutes} min.")
            }
        }
        "session.ended" => if ru {
            "Сеанс окончен."
        } else {
            "Your session has ended."
        }
        .to_owned(),
        "class_session.place_offered" => {
            let name = text(p, &["session", "name"]);
            let at = when(instant(p, &["session", "starts_at"]));
            if ru {
                format!(
                    "Освободилось место на занятии «{name}», {at}. Запишитесь, пока его не заняли"
                )
            } else {
                format!("A place is free in class “{name}”, {at}. Book it before someone else does")
            }
        }
        "membership.renewed" => {
            let (plan, until) = (text(p, &["plan_name"]), date(p, "ends_on"));
            match int(p, &["amount_due"]).filter(|due| *due > 0) {
                Some(due) if ru => format!(
                    "Абонемент «{plan}» продлён до {until}. К оплате: {}",
                    money(due)
                ),
                Some(due) => format!(
                    "Your membership “{plan}” is renewed until {until}. Due: {}",
                    money(due)
                ),
                None if ru => format!("Абонемент «{plan}» продлён до {until}, оплачен с баланса"),
                None => format!(
                    "Your membership “{plan}” is renewed until {until}, paid from your balance"
                ),
            }
        }
        "payment.taken" => {
            let amount = money(int(p, &["amount"]).unwrap_or(0));
            if ru {
                format!("Оплата принята: {amount}")
            } else {
                format!("Payment received: {amount}")
            }
        }
        // A rule's message is the venue's own words, in whatever language they wrote it.
        crate::automations::MESSAGE_KIND => text(p, &["text"]).to_owned(),
        super::engine::SIGN_IN_CODE => {
            let (code, until) = (text(p, &["code"]), when(instant(p, &["expiresAt"])));
            if ru {
                format!("Код для входа: {code}. Действует до {until}.")
            } else {
                format!("Your sign-in code: {code}. Valid until {until}.")
            }
        }
        "reminder.appointment" => {
            let (service, at) = (text(p, &["service"]), when(instant(p, &["starts_at"])));
            if ru {
                format!("Напоминание: {service}, {at}")
            } else {
                format!("Reminder: {service}, {at}")
            }
        }
        "reminder.class" => {
            let (name, at) = (text(p, &["name"]), when(instant(p, &["starts_at"])));
            if ru {
                format!("Напоминание: занятие «{name}», {at}")
            } else {
                format!("Reminder: class “{name}”, {at}")
            }
        }
        "reminder.membership_expiring" => {
            let (plan, on) = (text(p, &["plan"]), date(p, "ends_on"));
            if ru {
                format!("Абонемент «{plan}» заканчивается {on}")
            } else {
                format!("Your membership “{plan}” ends on {on}")
            }
        }
        "reminder.membership_expired" => {
            let (plan, on) = (text(p, &["plan"]), date(p, "ends_on"));
            if ru {
                format!("Абонемент «{plan}» закончился {on}")
            } else {
                format!("Your membership “{plan}” ended on {on}")
            }
        }
        "reminder.missed_classes" => {
            let (student, missed) = (text(p, &["student"]), int(p, &["missed"]).unwrap_or(0));
            match (ru, staff) {
                (true, false) => format!("Вы пропустили занятий подряд: {missed}"),
                (false, false) => format!("You have missed {missed} classes in a row"),
                (true, true) => format!("{student}: пропущено занятий подряд: {missed}"),
                (false, true) => format!("{student} has missed {missed} classes in a row"),
            }
        }
        "reminder.exam" => {
            let (belt, on) = (text(p, &["belt"]), date(p, "exam_date"));
            if ru {
                format!("Экзамен на пояс «{belt}»: {on}")
            } else {
                format!("Belt exam “{belt}”: {on}")
            }
        }
        "reminder.payment_due" => {
            let amount = money(int(p, &["due"]).unwrap_or(0));
            let at = when(instant(p, &["starts_at"]));
            if ru {
                format!("К оплате {amount} до {at}")
            } else {
                format!("{amount} due by {at}")
            }
        }
        other => other.to_owned(),
    };
    Ok(Message {
        title: place.map_or_else(|| "clubgrid".to_owned(), |l| l.name),
        body,
    })
}
