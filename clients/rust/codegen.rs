// Shared by the build scripts of the generated clients (`clients/rust`, `clients/bot`), each of
// which `include!`s it: one generator, so every client is generated and checked alike.

use std::{env, fs, path::Path};

/// Writes `$OUT_DIR/operations.rs`: one `graphql_client` type per named operation in the
/// crate's `operations/*.graphql`, checked against the workspace's `schema.graphql`.
fn generate_operations() {
    let manifest = env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let dir = Path::new(&manifest).join("operations");
    println!("cargo:rerun-if-changed=operations");
    println!("cargo:rerun-if-changed=../../schema.graphql");

    let mut files: Vec<_> = fs::read_dir(&dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "graphql"));
    files.sort();

    let mut out = String::new();
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read_to_string(&path).unwrap_or_default();
        let file = path
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default();
        for name in operation_names(&text) {
            out.push_str(&format!(
                "#[derive(graphql_client::GraphQLQuery)]\n\
                 #[graphql(schema_path = \"../../schema.graphql\", query_path = \"operations/{file}\", \
                 response_derives = \"Debug, Clone, PartialEq\", variables_derives = \"Debug, Clone\", \
                 skip_serializing_none)]\n\
                 pub struct {name};\n\n"
            ));
        }
    }
    let target =
        Path::new(&env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("operations.rs");
    if let Err(err) = fs::write(&target, out) {
        panic!("cannot write {}: {err}", target.display());
    }
}

/// Names of the `query`, `mutation` and `subscription` definitions of a document.
fn operation_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in text.lines() {
        let line = line.trim_start();
        for keyword in ["query ", "mutation ", "subscription "] {
            if let Some(rest) = line.strip_prefix(keyword) {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    names.push(name);
                }
            }
        }
    }
    names
}
