#!/usr/bin/env bash
# check_report_browser.sh - render a run's report.html in headless Chromium, offline.
#
# usage: scripts/check_report_browser.sh <run folder> [<output folder>]
#
# Takes a screenshot (1200x3000 px) and prints the report to PDF (A4, the report's @media
# print rules), then checks that both files exist and are not empty. Outputs go to
# <output folder> (default: <run folder>/browser_check/): report_screenshot.png, report.pdf.
# When pdftoppm (poppler-utils) is installed, page 1 of the PDF is also rendered to
# report_page1.png so it can be looked at without a PDF viewer.
#
# Network access is switched off as far as Chromium allows (no QUIC, no background networking,
# no component updates, no sync, a fresh profile), so a report that needs the network to look
# right shows it here.
#
# Needs: chromium (Debian: apt-get install -y chromium) or chromium-browser / google-chrome
# on PATH, or CHROMIUM=/path/to/binary.
#
# Exit codes: 0 both outputs written; 1 Chromium failed or an output is missing or empty;
#             2 bad usage (no folder, or no report.html in it: run procsim-report first);
#             3 no Chromium found.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 || "$1" == "-h" || "$1" == "--help" ]]; then
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    [[ $# -ge 1 && ( "$1" == "-h" || "$1" == "--help" ) ]] && exit 0
    exit 2
fi

folder=$1
report="$folder/report.html"
if [[ ! -d "$folder" ]]; then
    echo "check_report_browser: error: $folder: no such folder (expected a procsim run folder). Hint: pass the folder a run printed as 'results: ...'" >&2
    exit 2
fi
if [[ ! -s "$report" ]]; then
    echo "check_report_browser: error: $report: missing or empty (expected the report of the run). Hint: procsim-report $folder" >&2
    exit 2
fi

browser=${CHROMIUM:-}
if [[ -z "$browser" ]]; then
    for name in chromium chromium-browser google-chrome google-chrome-stable; do
        if command -v "$name" >/dev/null 2>&1; then
            browser=$(command -v "$name")
            break
        fi
    done
fi
if [[ -z "$browser" ]]; then
    echo "check_report_browser: error: no Chromium found (looked for chromium, chromium-browser, google-chrome). Hint: apt-get install -y chromium, or set CHROMIUM=/path/to/chrome" >&2
    exit 3
fi

out=${2:-$folder/browser_check}
mkdir -p "$out"
out=$(cd "$out" && pwd)
url="file://$(cd "$folder" && pwd)/report.html"
shot="$out/report_screenshot.png"
pdf="$out/report.pdf"
rm -f "$shot" "$pdf" "$out/report_page1.png"

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

flags=(
    --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --disable-dev-shm-usage --hide-scrollbars
)

run_browser() {
    # Chromium logs noise on stderr even when it works; keep it for failures only.
    local log="$out/chromium.log"
    if ! timeout 120 "$browser" "${flags[@]}" --user-data-dir="$profile" "$@" >"$log" 2>&1; then
        echo "check_report_browser: error: chromium failed ($*); its log:" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
}

run_browser --screenshot="$shot" --window-size=1200,3000 "$url"
run_browser --print-to-pdf="$pdf" --no-pdf-header-footer "$url"

status=0
for file in "$shot" "$pdf"; do
    if [[ ! -s "$file" ]]; then
        echo "check_report_browser: error: $file was not written or is empty" >&2
        status=1
    fi
done
[[ $status -eq 0 ]] || exit $status

echo "screenshot: $shot ($(wc -c <"$shot") bytes)"
pages=""
if command -v pdfinfo >/dev/null 2>&1; then
    pages=$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
fi
echo "pdf:        $pdf ($(wc -c <"$pdf") bytes${pages:+, $pages pages})"
if command -v pdftoppm >/dev/null 2>&1; then
    pdftoppm -png -r 70 -f 1 -l 1 -singlefile "$pdf" "$out/report_page1" &&
        echo "page 1:     $out/report_page1.png"
fi
