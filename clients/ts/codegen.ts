import type { CodegenConfig } from "@graphql-codegen/cli";

// Typed documents for every operation the web app declares in its `.graphql` files,
// checked against the schema the server exports.
// CODEGEN_OUT lets the drift check generate elsewhere and compare, leaving src/ untouched.
const out = process.env["CODEGEN_OUT"] ?? "./src/gql/";

const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: ["../../frontend/src/**/*.graphql"],
  ignoreNoDocuments: false,
  generates: {
    [out]: {
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
