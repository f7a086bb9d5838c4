import { defineConfig } from 'vitest/config';

// Real kernels and a real debugpy run in these tests: one file at a time, generous timeouts.
export default defineConfig({
    test: {
        include: ['test/ts/unit/**/*.test.ts'],
        root: new URL('../..', import.meta.url).pathname,
        environment: 'node',
        fileParallelism: false,
        testTimeout: 120_000,
        hookTimeout: 120_000,
        reporters: ['default'],
    },
});
