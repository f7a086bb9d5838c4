// Bundles the extension into one CommonJS file (out/extension.js); `vscode` comes from the editor.
import { build } from 'esbuild';

const production = process.argv.includes('--production');

await build({
    entryPoints: ['extension/src/extension.ts'],
    bundle: true,
    outfile: 'out/extension.js',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['vscode'],
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'warning',
});
