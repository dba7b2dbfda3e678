#!/usr/bin/env bash
# make screenshots: runs the console's tests (which save a screenshot of each main screen) and
# copies the README's pictures into docs/screenshots/.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$root"
shots=(groups create group field-error privacy rate-limit phone)
scripts/build-worker.sh
rm -rf test-output/console
scripts/test-console.sh
mkdir -p docs/screenshots
for name in "${shots[@]}"; do cp "test-output/console/$name.png" "docs/screenshots/$name.png"; done
echo "docs/screenshots/: ${#shots[@]} screenshots"
