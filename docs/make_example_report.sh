#!/usr/bin/env bash
# Regenerate docs/example-report-2025.pdf: the board's report of the bundled 2025 taxa with the
# bundled EXAMPLE volumes (invented, not real statistics; the report says so on its first page).
# Run from anywhere:  bash docs/make_example_report.sh   (needs `make run`'s .venv, or `make test`'s)
set -euo pipefail
cd "$(dirname "$0")/.."
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
export DATABASE_URL="sqlite:///$workdir/example.db"
.venv/bin/taxa migrate >/dev/null
.venv/bin/taxa load-bundled >/dev/null
.venv/bin/taxa report --on 2025-01-01 --example-volumes --format pdf \
  -o docs/example-report-2025.pdf
