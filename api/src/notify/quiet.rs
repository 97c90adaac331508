//! Quiet hours: a location's local window in which messages wait.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;
use entity::location;
use sea_orm::{ConnectionTrait, EntityTrait};

use super::prefs;
use crate::{domain::timezone, error::AppResult};

/// The business time a message must wait until, when `now` is inside the location's quiet
/// hours; none outside them.
pub async fn held_until<C: ConnectionTrait>(
    conn: &C,
    location_id: i64,
    now: DateTime<Utc>,
) -> AppResult<Option<DateTime<Utc>>> {
    let setting = prefs::settings(conn, location_id).await?;
    let (Some(from), Some(to)) = (setting.quiet_from, setting.quiet_to) else {
        return Ok(None);
    };
    let Some(location) = location::Entity::find_by_id(location_id).one(conn).await? else {
        return Ok(None);
    };
    let tz: Tz = location.timezone.parse().unwrap_or(chrono_tz::UTC);
    Ok(window_end(tz, from, to, now))
}

/// When the window `from..to` (local, wrapping past midnight when `from > to`) that holds
/// `now` ends; none when `now` is outside it.
pub fn window_end(
    tz: Tz,
    from: NaiveTime,
    to: NaiveTime,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if from == to {
        return None;
    }
    let local = now.with_timezone(&tz).naive_local();
    let time = local.time();
    let inside = if from < to {
        time >= from && time < to
    } else {
        time >= from || time < to
    };
    if !inside {
        return None;
    }
    let mut end = local.date().and_time(to);
    if end <= local {
        end += Duration::days(1);
    }
    Some(timezone::instant(tz, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_past_midnight_holds_until_its_end() {
        let tz = chrono_tz::UTC;
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let (from, to) = (t(22, 0), t(8, 0));
        assert_eq!(
            window_end(tz, from, to, at("2026-12-01T23:30:00Z")),
            Some(at("2026-12-02T08:00:00Z"))
        );
        assert_eq!(
            window_end(tz, from, to, at("2026-12-02T07:00:00Z")),
            Some(at("2026-12-02T08:00:00Z"))
        );
        assert_eq!(window_end(tz, from, to, at("2026-12-02T12:00:00Z")), None);
        assert_eq!(
            window_end(tz, t(13, 0), t(14, 0), at("2026-12-02T13:10:00Z")),
            Some(at("2026-12-02T14:00:00Z"))
        );
    }
}
