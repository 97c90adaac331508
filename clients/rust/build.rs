//! Generates one typed operation per named operation in `operations/*.graphql`, checked
//! against `../../schema.graphql`: an operation the schema no longer supports fails the build.

include!("codegen.rs");

fn main() {
    generate_operations();
}
