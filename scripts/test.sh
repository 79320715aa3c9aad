#!/usr/bin/env bash
# The project's test command (README): installs what the tests need on a fresh Debian
# machine — Tesseract OCR with Russian and Kazakh, DejaVu fonts for the generated PDFs, Chromium,
# LibreOffice Writer (libreoffice-writer-nogui) and poppler-utils (tests/test_pages.py renders the conclusion
# and the monitoring report DOCX -> PDF -> PNG), PostgreSQL (started on 127.0.0.1:55432 by
# scripts/pg-test-server.sh) — then the package
# with its test extras into .venv, then runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v tesseract >/dev/null 2>&1 || need_apt+=(tesseract-ocr)
if command -v tesseract >/dev/null 2>&1; then
  langs=$(tesseract --list-langs 2>/dev/null || true)
  grep -qx rus <<<"$langs" || need_apt+=(tesseract-ocr-rus)
  grep -qx kaz <<<"$langs" || need_apt+=(tesseract-ocr-kaz)
else
  need_apt+=(tesseract-ocr-rus tesseract-ocr-kaz)
fi
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)   # the browser tests drive Debian's Chromium
command -v soffice >/dev/null 2>&1 || need_apt+=(libreoffice-writer-nogui)   # the page tests: DOCX -> PDF
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)   # the page tests: pdfinfo, pdftotext, PDF -> PNG
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
# a real PostgreSQL for the record tests (the suite also runs every record test on SQLite)
export LEXPERT_TEST_PG_URL="${LEXPERT_TEST_PG_URL:-$(scripts/pg-test-server.sh)}"
exec .venv/bin/python -m pytest "$@"
