/** Builds the web bundle into `outDir` (default build/web), replacing it whole; resolves to its absolute path. */
export function buildWeb(outDir?: string): Promise<string>;
