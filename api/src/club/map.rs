//! The live PC map of a location in a fixed number of statements, whatever its size.

use entity::{client, enums::SessionStatus, play_session, resource, zone};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{
    sessions::{self, Rules},
    types::{PcMap, PcMapEntry, PcMapZone, PlaySession},
};
use crate::{domain::Money, error::AppResult, state::AppState, venue::types::Resource};

pub async fn build(state: &AppState, location_id: i64) -> AppResult<PcMap> {
    let now = state.clock.now();
    let rules = Rules::load(&state.db, location_id).await?;
    let zones = zone::Entity::find()
        .filter(zone::Column::LocationId.eq(location_id))
        .order_by_asc(zone::Column::SortOrder)
        .order_by_asc(zone::Column::Name)
        .all(&state.db)
        .await?;
    let pcs = resource::Entity::find()
        .filter(resource::Column::LocationId.eq(location_id))
        .order_by_asc(resource::Column::SortOrder)
        .order_by_asc(resource::Column::Name)
        .order_by_asc(resource::Column::Id)
        .all(&state.db)
        .await?;
    let running = play_session::Entity::find()
        .filter(play_session::Column::LocationId.eq(location_id))
        .filter(play_session::Column::Status.eq(SessionStatus::Active))
        .all(&state.db)
        .await?;
    let parts = sessions::parts_of(&state.db, running.iter().map(|s| s.id).collect()).await?;
    let clients = client::Entity::find()
        .filter(client::Column::Id.is_in(running.iter().filter_map(|s| s.client_id)))
        .all(&state.db)
        .await?;
    let entry = |pc: &resource::Model| {
        let session = running.iter().find(|s| s.resource_id == pc.id);
        let client = session
            .and_then(|s| s.client_id)
            .and_then(|id| clients.iter().find(|c| c.id == id));
        let cost = session.map(|s| {
            let own: Vec<_> = parts
                .iter()
                .filter(|p| p.session_id == s.id)
                .cloned()
                .collect();
            let discount = client.map_or(0, |c| c.discount_percent);
            // So far: an open session up to now; prepaid time is already bought.
            Money(rules.quote(s, &own, discount, now).total)
        });
        PcMapEntry {
            resource: Resource(pc.clone()),
            minutes_left: session
                .and_then(|s| s.ends_at)
                .map(|end| (end - now).num_minutes().max(0)),
            cost_so_far: cost,
            client_name: client
                .map(|c| c.display_name.clone())
                .or_else(|| session.and_then(|s| s.guest_name.clone())),
            session: session.cloned().map(PlaySession::from),
        }
    };
    let mut out: Vec<PcMapZone> = zones
        .iter()
        .map(|z| PcMapZone {
            zone_id: Some(z.id.into()),
            name: z.name.clone(),
            pcs: pcs
                .iter()
                .filter(|pc| pc.zone_id == Some(z.id))
                .map(entry)
                .collect(),
        })
        .collect();
    let loose: Vec<PcMapEntry> = pcs
        .iter()
        .filter(|pc| pc.zone_id.is_none())
        .map(entry)
        .collect();
    if !loose.is_empty() {
        out.push(PcMapZone {
            zone_id: None,
            name: "Без зоны".into(),
            pcs: loose,
        });
    }
    Ok(PcMap {
        location_id: location_id.into(),
        at: now,
        zones: out,
    })
}
