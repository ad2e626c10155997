import { defineConfig } from 'vitest/config';

/** The long fuzz campaign (test/fuzz-campaign.ts), outside `npm test`: `npx vitest run -c test/campaign.config.ts`. */
export default defineConfig({
  test: {
    include: ['test/fuzz-campaign.ts'],
    testTimeout: 24 * 3_600_000,
  },
});
