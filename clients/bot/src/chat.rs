//! Where a conversation stands. Kept in clubgrid after every update, so a restarted bot picks
//! each chat up where it was.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Chat {
    pub step: Step,
    /// The message with the current buttons, edited in place as the person taps.
    pub panel: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    #[default]
    Idle,
    /// `/client`: the next text is a search.
    ClientSearch,
    /// A new client: the name, then the phone.
    NewClientName,
    NewClientPhone {
        name: String,
    },
    /// Editing one field of a client card.
    EditClient {
        id: String,
        field: ClientField,
    },
    /// `/order`: the choices so far; `awaiting` says what the next text answers.
    Order {
        draft: Box<OrderDraft>,
        awaiting: Option<OrderText>,
    },
    /// `/book`: a client's choices so far, and the slot held for them.
    Book {
        draft: Box<BookDraft>,
    },
}

/// An appointment as a client puts it together: service, specialist, day, slot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BookDraft {
    pub location_id: Option<String>,
    pub timezone: Option<String>,
    pub service_id: Option<String>,
    pub service: Option<String>,
    /// `Some(None)` once "any specialist" was chosen.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "chosen"
    )]
    pub specialist: Option<Option<(String, String)>>,
    /// `YYYY-MM-DD`, the location's day.
    pub date: Option<String>,
    pub hold: Option<Hold>,
}

/// A slot held for the client until they confirm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hold {
    pub token: String,
    pub starts_at: String,
    pub specialist_id: String,
    pub expires_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientField {
    Name,
    Phone,
    Phone2,
    Notes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderText {
    Players,
    Phone,
    Name,
}

/// A party order as it is being put together (seed 004's `crm_orders`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderDraft {
    /// The order being changed; a new one when `None`.
    #[serde(default)]
    pub order_id: Option<String>,
    pub location_id: Option<String>,
    pub timezone: Option<String>,
    /// `YYYY-MM-DD`, the location's day.
    pub date: Option<String>,
    /// `HH:MM`, the location's time.
    pub time: Option<String>,
    pub game_minutes: Option<i64>,
    pub area_id: Option<String>,
    pub area: Option<String>,
    /// `Some(None)` once "no rest room" was chosen.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "chosen"
    )]
    pub rest_room: Option<Option<(String, String)>>,
    pub players: Option<i64>,
    pub game_type: Option<String>,
    pub phone: Option<String>,
    pub name: Option<String>,
}

/// A choice that may be "none": not yet chosen is an absent field (`None`), "none" chosen is
/// `null` (`Some(None)`), so both survive the round trip through the saved state.
fn chosen<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_chosen_survives_a_save() {
        for rest_room in [None, Some(None), Some(Some(("1".into(), "Комната".into())))] {
            let draft = OrderDraft {
                rest_room: rest_room.clone(),
                ..OrderDraft::default()
            };
            let json = serde_json::to_string(&draft).unwrap();
            let back: OrderDraft = serde_json::from_str(&json).unwrap();
            assert_eq!(back.rest_room, rest_room, "{json}");
        }
    }
}
