#!/usr/bin/env bash
# Regenerates docs/report-demo.png (laptop width) and docs/report-demo-phone.png from the HTML report
# of `herald demo --days 14 --seed 42`, on a throwaway embedded cluster. Needs chromium and a build.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d /tmp/herald-screenshot-XXXXXX)"
chmod 755 "$work"
export HERALD_HOME="$work/home"
unset DATABASE_URL
trap 'swift run --skip-build herald db stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
swift run --skip-build herald demo --days 14 --seed 42 --out "$work/reports" >/dev/null
page="file://$work/reports/demo-spring-sale/latest/report.html"
shoot() {
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
        --window-size="$1" --screenshot="$2" "$page" 2>/dev/null
}
shoot 1280,3350 docs/report-demo.png
shoot 390,1800 docs/report-demo-phone.png
echo "docs/report-demo.png and docs/report-demo-phone.png updated"
