//! The one place every argument of every request passes before anything runs.
//!
//! [`InputChecks`] walks the parsed document with the schema's types in hand, reads each
//! argument (literal or variable) and applies the boundary checks of `crate::domain`:
//! every string is free of NUL and other control characters ([`text::controls`]), and every
//! `DateTime` and `NaiveDate` lies in the years the business accepts ([`when`]). It also
//! counts the fields a request selects, aliases and `__typename` included, so a query of
//! many thousands of aliases is refused before it costs anything.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use async_graphql::{
    ErrorExtensions, Name, Pos, Request, ServerError, ServerResult, Value, Variables,
    parser::types::{
        DocumentOperations, ExecutableDocument, OperationDefinition, OperationType, Selection,
        SelectionSet,
    },
    registry::{MetaType, MetaTypeName, Registry},
};

use crate::{
    domain::{text, when},
    error::{AppError, AppResult},
};

/// The most fields one request may select, counting every alias, every use of a fragment
/// and `__typename`.
pub const MAX_FIELDS: usize = 1_000;

/// Fragments nested deeper than this are not followed (validation refuses cycles anyway).
const MAX_FRAGMENT_NESTING: usize = 32;

/// Selections nested deeper than this are not walked: the engine refuses anything past
/// `schema::MAX_RECURSIVE_DEPTH` right after, and the walk must not exhaust the stack first.
const MAX_SELECTION_NESTING: usize = 64;

/// Parsed documents kept by their text; past this many the cache starts again.
const PARSED_KEPT: usize = 256;

/// The checks, with the schema's types they read argument types from.
pub struct InputChecks {
    registry: Registry,
    /// The documents of recent query texts. Clients send the same few texts again and again:
    /// a copy of a parsed document costs far less than parsing, shares its names, and holds
    /// no spare capacity (a live subscription keeps its document for as long as it runs).
    parsed: Mutex<HashMap<Box<str>, Arc<ExecutableDocument>>>,
}

impl InputChecks {
    pub fn new(registry: Registry) -> Self {
        InputChecks {
            registry,
            parsed: Mutex::new(HashMap::new()),
        }
    }

    /// Gives `request` (as it arrived: nothing parsed yet) its parsed document: a copy of the
    /// one kept for its text, or a fresh parse, kept for the next time. A query that does not
    /// parse is left for the engine to report.
    fn parse(&self, request: &mut Request) {
        let kept = {
            let parsed = self.parsed.lock().unwrap_or_else(|p| p.into_inner());
            parsed.get(request.query.as_str()).cloned()
        };
        if let Some(document) = kept {
            request.set_parsed_query(ExecutableDocument::clone(&document));
            return;
        }
        let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
            return;
        };
        let document = Arc::new(document);
        request.set_parsed_query(ExecutableDocument::clone(&document));
        let mut parsed = self.parsed.lock().unwrap_or_else(|p| p.into_inner());
        if parsed.len() >= PARSED_KEPT {
            parsed.clear();
        }
        parsed.insert(request.query.as_str().into(), document);
    }

    /// Checks every argument of `request`, parsing its query once: the engine reuses the
    /// parsed document. A query that does not parse is left for the engine to report.
    pub fn check(&self, request: &mut Request) -> ServerResult<()> {
        self.parse(request);
        let variables = std::mem::take(&mut request.variables);
        let outcome = match request.parsed_query() {
            Ok(document) => Walk {
                registry: &self.registry,
                document,
                variables: &variables,
                defaults: HashMap::new(),
                fields: 0,
            }
            .document(),
            Err(_) => Ok(()),
        };
        request.variables = variables;
        outcome
    }
}

struct Walk<'a> {
    registry: &'a Registry,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    defaults: HashMap<Name, Value>,
    fields: usize,
}

fn refuse(err: AppError, pos: Pos) -> ServerError {
    err.extend().into_server_error(pos)
}

impl Walk<'_> {
    fn document(&mut self) -> ServerResult<()> {
        let operations: Vec<&OperationDefinition> = match &self.document.operations {
            DocumentOperations::Single(op) => vec![&op.node],
            DocumentOperations::Multiple(ops) => ops.values().map(|op| &op.node).collect(),
        };
        for op in operations {
            self.defaults = op
                .variable_definitions
                .iter()
                .filter_map(|d| {
                    d.node
                        .default_value
                        .as_ref()
                        .map(|v| (d.node.name.node.clone(), v.node.clone()))
                })
                .collect();
            let root = match op.ty {
                OperationType::Query => Some(self.registry.query_type.as_str()),
                OperationType::Mutation => self.registry.mutation_type.as_deref(),
                OperationType::Subscription => self.registry.subscription_type.as_deref(),
            };
            if let Some(root) = root {
                self.selection_set(root, &op.selection_set.node, 0, 0)?;
            }
        }
        Ok(())
    }

    fn selection_set(
        &mut self,
        parent: &str,
        set: &SelectionSet,
        nesting: usize,
        depth: usize,
    ) -> ServerResult<()> {
        if nesting > MAX_FRAGMENT_NESTING || depth > MAX_SELECTION_NESTING {
            return Ok(());
        }
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    self.fields += 1;
                    if self.fields > MAX_FIELDS {
                        return Err(refuse(too_many_fields(), field.pos));
                    }
                    let meta = self
                        .registry
                        .concrete_type_by_name(parent)
                        .and_then(|t| t.field_by_name(field.node.name.node.as_str()));
                    let Some(meta) = meta else { continue };
                    for (name, value) in &field.node.arguments {
                        let Some(arg) = meta.args.get(name.node.as_str()) else {
                            continue;
                        };
                        let value = value.node.clone().into_const_with(|var| {
                            Ok::<_, std::convert::Infallible>(
                                self.variables
                                    .get(&var)
                                    .cloned()
                                    .or_else(|| self.defaults.get(&var).cloned())
                                    .unwrap_or(Value::Null),
                            )
                        });
                        let Ok(value) = value;
                        self.value(&arg.ty, &value, name.node.as_str())
                            .map_err(|e| refuse(e, name.pos))?;
                    }
                    let child = MetaTypeName::concrete_typename(&meta.ty).to_owned();
                    self.selection_set(&child, &field.node.selection_set.node, nesting, depth + 1)?;
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) =
                        self.document.fragments.get(&spread.node.fragment_name.node)
                    {
                        let on = fragment.node.type_condition.node.on.node.to_string();
                        self.selection_set(
                            &on,
                            &fragment.node.selection_set.node,
                            nesting + 1,
                            depth + 1,
                        )?;
                    }
                }
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map_or_else(|| parent.to_owned(), |c| c.node.on.node.to_string());
                    self.selection_set(
                        &on,
                        &inline.node.selection_set.node,
                        nesting + 1,
                        depth + 1,
                    )?;
                }
            }
        }
        Ok(())
    }

    /// Checks one argument value against its declared type, naming it by its path
    /// (`input.name`, `ids[2]`).
    fn value(&self, ty: &str, value: &Value, path: &str) -> AppResult<()> {
        match MetaTypeName::create(ty) {
            MetaTypeName::NonNull(inner) => return self.value(inner, value, path),
            MetaTypeName::List(inner) => {
                if let Value::List(items) = value {
                    for (i, item) in items.iter().enumerate() {
                        self.value(inner, item, &format!("{path}[{i}]"))?;
                    }
                    return Ok(());
                }
                // A single value where a list is expected is coerced to a list of one.
                return self.value(inner, value, path);
            }
            MetaTypeName::Named(_) => {}
        }
        match value {
            Value::String(s) => {
                text::controls(path, s)?;
                match ty {
                    "DateTime" => when::check_instant_text(path, s),
                    "NaiveDate" => when::check_date_text(path, s),
                    _ => Ok(()),
                }
            }
            Value::Object(object) => {
                let fields = match self.registry.concrete_type_by_name(ty) {
                    Some(MetaType::InputObject { input_fields, .. }) => Some(input_fields),
                    _ => None,
                };
                for (key, item) in object {
                    let path = format!("{path}.{key}");
                    match fields.and_then(|f| f.get(key.as_str())) {
                        Some(field) => self.value(&field.ty, item, &path)?,
                        // A JSON scalar or an unknown field: its strings are text all the same.
                        None => {
                            text::controls(&path, key.as_str())?;
                            self.value("JSON", item, &path)?;
                        }
                    }
                }
                Ok(())
            }
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.value(ty, item, &format!("{path}[{i}]"))?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

fn too_many_fields() -> AppError {
    AppError::validation(
        "query",
        format!(
            "запрос выбирает больше {MAX_FIELDS} полей (считая псевдонимы и __typename); \
             разделите его на несколько"
        ),
        format!(
            "the query selects more than {MAX_FIELDS} fields (aliases and __typename \
             included); split it"
        ),
    )
}
