// The examples type-check without installing @types/node: declare the little they use.
declare const process: { readonly argv: readonly string[] };
