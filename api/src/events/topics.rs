//! Typed topics: the only place that knows how a topic is spelled on the wire.

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Topic {
    /// Status changes of the resources of one location.
    ResourceStatus { location_id: i64 },
}

impl Topic {
    pub fn key(&self) -> String {
        match self {
            Topic::ResourceStatus { location_id } => format!("resource-status:{location_id}"),
        }
    }
}
