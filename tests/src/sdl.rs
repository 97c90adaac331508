//! The exported schema read back as data, for tests that call every root field: the policy
//! matrix and the hostile-argument sweep.

use std::collections::HashMap;

use async_graphql::parser::{
    parse_schema,
    types::{BaseType, InputValueDefinition, Type, TypeKind, TypeSystemDefinition},
};
use clubgrid_api::export_sdl;

/// The schema's types by name.
pub struct Sdl {
    pub kinds: HashMap<String, TypeKind>,
}

impl Sdl {
    pub fn parse() -> Sdl {
        let doc = parse_schema(export_sdl()).expect("the exported SDL parses");
        let kinds = doc
            .definitions
            .into_iter()
            .filter_map(|def| match def {
                TypeSystemDefinition::Type(t) => Some((t.node.name.node.to_string(), t.node.kind)),
                _ => None,
            })
            .collect();
        Sdl { kinds }
    }

    /// `(root type, field)` for every root field.
    pub fn root_fields(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for root in ["Query", "Mutation", "Subscription"] {
            if let Some(TypeKind::Object(obj)) = self.kinds.get(root) {
                out.extend(
                    obj.fields
                        .iter()
                        .map(|f| (root, f.node.name.node.to_string())),
                );
            }
        }
        out
    }

    pub fn field(&self, root: &str, name: &str) -> (Vec<InputValueDefinition>, Type) {
        let Some(TypeKind::Object(obj)) = self.kinds.get(root) else {
            panic!("no {root}")
        };
        let f = obj
            .fields
            .iter()
            .find(|f| f.node.name.node == name)
            .expect("field");
        (
            f.node.arguments.iter().map(|a| a.node.clone()).collect(),
            f.node.ty.node.clone(),
        )
    }

    /// A literal of the type: required input fields filled, optional ones left out.
    pub fn sample(&self, ty: &Type) -> String {
        match &ty.base {
            BaseType::List(inner) => format!("[{}]", self.sample(inner)),
            BaseType::Named(name) => match name.as_str() {
                "ID" => "\"1\"".into(),
                "String" => "\"x\"".into(),
                "Int" => "1".into(),
                "Float" => "1.5".into(),
                "Boolean" => "true".into(),
                "DateTime" => "\"2026-01-01T10:00:00Z\"".into(),
                "NaiveDate" => "\"2026-01-01\"".into(),
                "NaiveTime" => "\"10:00:00\"".into(),
                "Money" => "\"1.00\"".into(),
                "Upload" => unreachable!("uploads are variables"),
                "JSON" => "\"{}\"".into(),
                other => match self.kinds.get(other) {
                    Some(TypeKind::Enum(e)) => e.values[0].node.value.node.to_string(),
                    Some(TypeKind::InputObject(input)) => {
                        let fields: Vec<String> = input
                            .fields
                            .iter()
                            .filter(|f| !f.node.ty.node.nullable && f.node.default_value.is_none())
                            .map(|f| {
                                format!("{}: {}", f.node.name.node, self.sample(&f.node.ty.node))
                            })
                            .collect();
                        format!("{{ {} }}", fields.join(", "))
                    }
                    _ => panic!("no sample value for scalar {other}: add one to this test"),
                },
            },
        }
    }

    pub fn selection(&self, ty: &Type) -> &'static str {
        let mut base = &ty.base;
        while let BaseType::List(inner) = base {
            base = &inner.base;
        }
        match base {
            BaseType::Named(name) => match self.kinds.get(name.as_str()) {
                Some(TypeKind::Object(_) | TypeKind::Interface(_) | TypeKind::Union(_)) => {
                    " { __typename }"
                }
                _ => "",
            },
            BaseType::List(_) => "",
        }
    }

    /// A document that calls one root field, and the names of its file variables (an
    /// `Upload` cannot be written inline).
    pub fn call(&self, root: &str, name: &str) -> (String, Vec<String>) {
        let (args, ty) = self.field(root, name);
        let mut uploads = Vec::new();
        let args: Vec<String> = args
            .iter()
            .filter(|a| !a.ty.node.nullable && a.default_value.is_none())
            .map(|a| {
                if matches!(&a.ty.node.base, BaseType::Named(n) if n.as_str() == "Upload") {
                    uploads.push(a.name.node.to_string());
                    format!("{0}: ${0}", a.name.node)
                } else {
                    format!("{}: {}", a.name.node, self.sample(&a.ty.node))
                }
            })
            .collect();
        let args = if args.is_empty() {
            String::new()
        } else {
            format!("({})", args.join(", "))
        };
        let keyword = match root {
            "Query" => "query",
            "Mutation" => "mutation",
            _ => "subscription",
        };
        let vars: Vec<String> = uploads.iter().map(|u| format!("${u}: Upload!")).collect();
        let vars = if vars.is_empty() {
            String::new()
        } else {
            format!("({})", vars.join(", "))
        };
        (
            format!("{keyword}{vars} {{ {name}{args}{} }}", self.selection(&ty)),
            uploads,
        )
    }
}
