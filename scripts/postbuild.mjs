// Marks the CLI executable after tsc (npm links it as the `paranom` bin).
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/src/cli/main.js', import.meta.url), 0o755);
