import type { CodegenConfig } from "@graphql-codegen/cli";

// Typed documents for every operation the web app declares in its `.graphql` files,
// checked against the schema the server exports.
const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: ["../../frontend/src/**/*.graphql"],
  ignoreNoDocuments: false,
  generates: {
    "./src/gql/": {
      preset: "client",
      presetConfig: {
        fragmentMasking: false,
      },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
        scalars: {
          DateTime: "string",
          NaiveDate: "string",
          NaiveTime: "string",
          Money: "string",
          JSON: "unknown",
          Upload: "File",
        },
      },
    },
  },
};

export default config;
