//! Long lists of plain objects, answered without the engine's per-field machinery.
//!
//! async-graphql resolves every selected field of every object as a boxed future, polled in a
//! set of its own, and merges the answers into a map: for a list of a few hundred objects
//! whose fields are columns, that machinery costs more than the data. A field that returns
//! [`PlainList`] is typed exactly as a `Vec` of its items (`[Resource!]!`), and when every
//! field its selection asks of the items is plain ([`PlainObject::FIELDS`]: a column, with
//! no arguments, no guard and nothing to wait for), it builds each item's answer directly.
//! Anything else in the selection (a relation, a directive, a fragment on another type) sends
//! the list the engine's way, so the answer is the same either way.
//!
//! An engine extension would not see the fields answered here. The schema registers none (see
//! [`crate::schema::Api`] for why), and the engine does not tell a resolver whether it has
//! any: a schema that adds one must answer its lists as plain `Vec`s.

use std::{borrow::Cow, sync::OnceLock};

use async_graphql::{
    ContextSelectionSet, EnumType, Name, OutputType, Positioned, ServerResult, Value,
    parser::types::{Field, Selection, SelectionSet},
    registry::Registry,
    resolver_utils::resolve_list,
};

/// An object some of whose fields are plain data.
pub trait PlainObject: OutputType {
    /// The plain fields, by their GraphQL names.
    const FIELDS: &'static [&'static str];

    /// The value of the plain field `FIELDS[index]`, as the object's own resolver answers it.
    fn plain(&self, index: usize) -> Value;
}

/// The value of an enum item, as the engine answers it, with its name made once per process
/// in `names` rather than once per answer.
pub fn enum_value<T: EnumType>(value: T, names: &'static OnceLock<Vec<Name>>) -> Value {
    let items = T::items();
    let names = names.get_or_init(|| items.iter().map(|item| Name::new(item.name)).collect());
    items
        .iter()
        .zip(names)
        .find(|(item, _)| item.value == value)
        .map_or(Value::Null, |(_, name)| Value::Enum(name.clone()))
}

/// A list of `T`, typed as `Vec<T>` and answered directly when its selection is plain.
pub struct PlainList<T>(pub Vec<T>);

impl<T> FromIterator<T> for PlainList<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        PlainList(iter.into_iter().collect())
    }
}

/// Where one response key of an item's answer comes from.
enum Slot {
    Field(usize),
    Typename,
}

/// The response keys the selection asks of each `T`, in order, when all of them are plain;
/// `None` sends the list the engine's way.
fn plan<T: PlainObject>(ctx: &ContextSelectionSet<'_>) -> Option<Vec<(Name, Slot)>> {
    let mut slots = Vec::new();
    collect::<T>(ctx, &ctx.item.node, &T::type_name(), &mut slots).then_some(slots)
}

fn collect<T: PlainObject>(
    ctx: &ContextSelectionSet<'_>,
    set: &SelectionSet,
    type_name: &str,
    slots: &mut Vec<(Name, Slot)>,
) -> bool {
    for selection in &set.items {
        let nested = match &selection.node {
            Selection::Field(field) => {
                let field = &field.node;
                if !field.directives.is_empty() || !field.arguments.is_empty() {
                    return false;
                }
                let name = field.name.node.as_str();
                let slot = match T::FIELDS.iter().position(|f| *f == name) {
                    Some(index) => Slot::Field(index),
                    None if name == "__typename" => Slot::Typename,
                    None => return false,
                };
                slots.push((field.response_key().node.clone(), slot));
                continue;
            }
            Selection::FragmentSpread(spread) => {
                if !spread.node.directives.is_empty() {
                    return false;
                }
                let Some(fragment) = ctx.query_env.fragments.get(&spread.node.fragment_name.node)
                else {
                    return false;
                };
                let fragment = &fragment.node;
                if !fragment.directives.is_empty()
                    || fragment.type_condition.node.on.node.as_str() != type_name
                {
                    return false;
                }
                &fragment.selection_set.node
            }
            Selection::InlineFragment(inline) => {
                let inline = &inline.node;
                let on_other = inline
                    .type_condition
                    .as_ref()
                    .is_some_and(|c| c.node.on.node.as_str() != type_name);
                if !inline.directives.is_empty() || on_other {
                    return false;
                }
                &inline.selection_set.node
            }
        };
        if !collect::<T>(ctx, nested, type_name, slots) {
            return false;
        }
    }
    true
}

impl<T: PlainObject> OutputType for PlainList<T> {
    fn type_name() -> Cow<'static, str> {
        Vec::<T>::type_name()
    }

    fn qualified_type_name() -> String {
        Vec::<T>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        Vec::<T>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let Some(slots) = plan::<T>(ctx) else {
            return resolve_list(ctx, field, &self.0, Some(self.0.len())).await;
        };
        let typename = Value::String(T::type_name().into_owned());
        let items = self.0.iter().map(|item| {
            let mut object = async_graphql::indexmap::IndexMap::with_capacity(slots.len());
            for (key, slot) in &slots {
                let value = match slot {
                    Slot::Field(index) => item.plain(*index),
                    Slot::Typename => typename.clone(),
                };
                // A key asked twice keeps its first place, as the engine's merge does.
                object.insert(key.clone(), value);
            }
            Value::Object(object)
        });
        Ok(Value::List(items.collect()))
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};
    use serde_json::json;

    use super::*;

    /// A plain object whose plain answer differs from its resolver's on purpose, so an answer
    /// tells which way its list went: 1001 directly, 1 through the engine.
    struct Dot(i32);

    #[Object]
    impl Dot {
        async fn n(&self) -> i32 {
            self.0
        }
        async fn twice(&self) -> i32 {
            self.0 * 2
        }
    }

    impl PlainObject for Dot {
        const FIELDS: &'static [&'static str] = &["n"];

        fn plain(&self, _index: usize) -> Value {
            Value::from(self.0 + 1000)
        }
    }

    struct Root;

    #[Object]
    impl Root {
        async fn dots(&self) -> PlainList<Dot> {
            PlainList(vec![Dot(1), Dot(2)])
        }
    }

    fn schema() -> Schema<Root, EmptyMutation, EmptySubscription> {
        Schema::new(Root, EmptyMutation, EmptySubscription)
    }

    async fn answer(query: &str) -> serde_json::Value {
        let response = schema().execute(query).await;
        assert!(response.errors.is_empty(), "{query}: {:?}", response.errors);
        serde_json::to_value(response.data).unwrap()
    }

    #[tokio::test]
    async fn a_plain_selection_is_answered_directly_and_anything_else_by_the_engine() {
        assert!(schema().sdl().contains("dots: [Dot!]!"));
        let direct = json!({ "dots": [{ "n": 1001 }, { "n": 1002 }] });
        assert_eq!(answer("{ dots { n } }").await, direct);
        assert_eq!(
            answer("{ dots { ...F } } fragment F on Dot { n }").await,
            direct
        );
        assert_eq!(
            answer("{ dots { ... on Dot { m: n } ... { n } __typename } }").await,
            json!({ "dots": [
                { "m": 1001, "n": 1001, "__typename": "Dot" },
                { "m": 1002, "n": 1002, "__typename": "Dot" },
            ] })
        );

        assert_eq!(
            answer("{ dots { n twice } }").await,
            json!({ "dots": [{ "n": 1, "twice": 2 }, { "n": 2, "twice": 4 }] })
        );
    }
}
