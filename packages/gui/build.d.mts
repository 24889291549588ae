// Types of build.mjs for the TypeScript callers (the browser test).
/** Build the GUI with Vite into packages/gui/dist; resolves to that directory. */
export function buildGui(): Promise<string>
