#!/usr/bin/env bash
# The README's report screenshots: previews of two bundled scenarios (the first 100,000
# rows, generated in memory), the first screen of each page rendered by headless Chromium.
# Run after `npm install`: bash scripts/report-screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
node dist/src/cli/main.js preview scenarios/nab-cpu-injection.yaml --png docs/report-nab-cpu-injection.png
node dist/src/cli/main.js preview scenarios/anomaly-kinds.yaml --png docs/report-anomaly-kinds.png
