#!/usr/bin/env bash
# Builds the guide (docs/, an mdBook) into target/guide. Its code is compiled and run as
# doctests of the `fastmcp` crate (crates/fastmcp/src/lib.rs, `mod guide`), by
# `cargo test --doc`; this checks that the book itself builds (its SUMMARY, its links).
# Installs mdBook into target/tools when the machine has none.
set -euo pipefail
cd "$(dirname "$0")/.."
MDBOOK_VERSION=0.4.52
MDBOOK=mdbook
if ! command -v mdbook >/dev/null 2>&1; then
  MDBOOK=target/tools/bin/mdbook
  if [ ! -x "$MDBOOK" ] || ! "$MDBOOK" --version | grep -q "$MDBOOK_VERSION"; then
    echo "== installing mdBook $MDBOOK_VERSION into target/tools"
    cargo install mdbook --version "$MDBOOK_VERSION" --locked --no-default-features \
      --features search --root target/tools --quiet
  fi
fi
"$MDBOOK" build docs
test -f target/guide/index.html
echo "guide: target/guide/index.html"
