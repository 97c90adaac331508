//! What pricing a session needs, and what starting one asks for.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entity::{
    enums::{PaymentMethod, SessionKind},
    location, play_session, play_session_part, promotion, tariff_package,
};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::Serialize;

use crate::{
    club::{
        catalog,
        pricing::{self, Quote, Stretch, TariffRules, Terms},
    },
    error::{AppError, AppResult},
};

/// Everything that prices play time at one location.
pub struct Rules {
    pub tz: Tz,
    pub tariffs: Vec<(TariffRules, Vec<tariff_package::Model>)>,
    pub promotions: Vec<promotion::Model>,
}

impl Rules {
    pub async fn load<C: ConnectionTrait>(conn: &C, location_id: i64) -> AppResult<Rules> {
        let location = location::Entity::find_by_id(location_id)
            .one(conn)
            .await?
            .ok_or_else(|| AppError::not_found("Локация", "Location", location_id))?;
        Ok(Rules {
            tz: location.timezone.parse().unwrap_or(Tz::UTC),
            tariffs: catalog::tariffs(conn, location_id, None).await?,
            promotions: catalog::promotions(conn, location_id).await?,
        })
    }

    pub(super) fn tariff(&self, id: i64) -> Option<&TariffRules> {
        self.tariffs
            .iter()
            .map(|(r, _)| r)
            .find(|r| r.tariff.id == id)
    }

    pub(super) fn package(&self, id: i64) -> Option<&tariff_package::Model> {
        self.tariffs
            .iter()
            .flat_map(|(_, p)| p.iter())
            .find(|p| p.id == id)
    }

    /// Prices a session played as `parts`, up to `until` (prepaid time is priced to its end).
    pub fn quote(
        &self,
        session: &play_session::Model,
        parts: &[play_session_part::Model],
        discount_percent: i32,
        until: DateTime<Utc>,
    ) -> Quote {
        let until = match (session.kind, session.ends_at) {
            (SessionKind::Prepaid, Some(end)) => end,
            _ => until,
        };
        let stretches: Vec<Stretch<'_>> = parts
            .iter()
            .enumerate()
            .filter_map(|(i, part)| {
                let rules = self.tariff(part.tariff_id)?;
                let to = if i + 1 == parts.len() {
                    until
                } else {
                    part.ended_at.unwrap_or(until)
                };
                Some(Stretch {
                    from: part.started_at,
                    to: to.max(part.started_at),
                    rules,
                })
            })
            .collect();
        let first_zone = parts.first().map_or(0, |p| p.zone_id);
        let start_local = session.started_at.with_timezone(&self.tz);
        let promotions: Vec<promotion::Model> = self
            .promotions
            .iter()
            .filter(|p| pricing::promotion_applies(p, first_zone, start_local))
            .cloned()
            .collect();
        let start_tariff = self.tariff(session.tariff_id);
        let terms = Terms {
            tz: self.tz,
            step_minutes: start_tariff.map_or(1, |t| i64::from(t.tariff.step_minutes)),
            rounding: start_tariff.map_or(entity::enums::Rounding::Up, |t| t.tariff.rounding),
            package: session.package_id.and_then(|id| self.package(id)),
            promotions: &promotions,
            client_discount_percent: discount_percent,
        };
        pricing::quote(&stretches, &terms)
    }
}

/// What starting a session asks for.
#[derive(Debug, Clone, Serialize)]
pub struct StartSpec {
    pub resource_id: i64,
    pub client_id: Option<i64>,
    pub guest_name: Option<String>,
    pub tariff_id: Option<i64>,
    pub prepaid_minutes: Option<i32>,
    pub package_id: Option<i64>,
    pub method: Option<PaymentMethod>,
}
