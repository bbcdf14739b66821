// Lint for the TypeScript sources (compiled output, examples' own node_modules and caches are not ours to lint).
// Line length and layout are the formatter's (Prettier, .prettierrc.json), not the linter's.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { createNodeResolver, importX } from "eslint-plugin-import-x";

export default tseslint.config(
    { ignores: ["dist/**", "node_modules/**", "**/node_modules/**", ".pulumi-local/**", ".stryker-tmp/**", "reports/**", "examples/**/bin/**", "**/*.js", "**/*.cjs", "**/*.mjs"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            // The serialized dynamic provider and lazily loaded modules require() inside functions on purpose: a
            // module-level import would be captured into every stack's state, or load the emulator for nothing.
            "@typescript-eslint/no-require-imports": "off",
            "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
        },
    },
    {
        // No import cycles (the rule skips type-only imports): the lifecycle core must stay a tree that either front door
        // (the dynamic resources, the provider plugin) can load without the other.
        files: ["**/*.ts"],
        plugins: { "import-x": importX },
        settings: {
            "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".d.ts", ".js", ".json"] })],
            "import-x/extensions": [".ts"],
            "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
        },
        rules: { "import-x/no-cycle": ["error", { ignoreExternal: true, allowUnsafeDynamicCyclicDependency: false }] },
    },
    {
        // chai's property assertions (`expect(x).to.be.true`) are expressions by design.
        files: ["test/**/*.ts"],
        rules: { "@typescript-eslint/no-unused-expressions": "off" },
    },
);
