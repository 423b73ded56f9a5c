#!/usr/bin/env bash
# Builds what `make run` serves and the browser tests drive — one release build, the same for both:
#   $CARGO_TARGET_DIR/release/server   the server (SSR, API, workers)
#   target/site/pkg/console*           the console's bundle (WASM + JS): supervisors, auditors, sign-in
#   target/site/pkg/workspace*         the agents' workspace's bundle
#   target/site/pkg/settings*          the supervisors' settings' bundle: people, queues, pauses, …
#   target/site/pkg/lines*             the supervisors' lines' bundle: routes, menus, channels
#   target/site/pkg/audit*             what auditors read: histories as the log holds them
#   target/site/pkg/ikono-chat.css     the stylesheet (style/*.css, in order)
#   target/site/*                      the public assets: widget.js, and widget-room.js, all the widget's
#                                      room runs (customers' phones get no WASM)
# Each file of pkg/ is also written gzipped and brotli-compressed: the server sends those as they are.
#
# The same steps as cargo-leptos (the site layout and LEPTOS_* names are Leptos's), without building
# cargo-leptos itself, which cost a fresh machine 20 minutes. wasm-opt is binaryen 132 from npm:
# Debian's binaryen 108 breaks the reference types that rustc 1.95 and wasm-bindgen emit, and the
# bundle then fails to load in the browser.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${CARGO_TARGET_DIR:-target}
site=${LEPTOS_SITE_ROOT:-target/site}
wasm_out="$target/wasm32-unknown-unknown/wasm-release"

step() { printf '\n== %s (%ss since the start)\n' "$*" "$SECONDS"; }

step "server (release)"
cargo build --release -p server --bin server

step "bundles (WASM, release)"
# Type-erased views (`.cargo/config.toml`, the same for the server) keep the bundles small.
cargo build --target wasm32-unknown-unknown --profile wasm-release -p console-bundle -p workspace-bundle -p settings-bundle -p lines-bundle -p audit-bundle

step "wasm-bindgen, wasm-opt"
(cd scripts/site && npm ci --no-audit --no-fund --silent)
pkg="$site/pkg.next"
rm -rf "$pkg"
mkdir -p "$pkg"
for bundle in console workspace settings lines audit; do
	wasm-bindgen --target web --no-typescript --out-dir "$pkg" --out-name "$bundle" "$wasm_out/${bundle}_bundle.wasm"
	# The features rustc 1.95 turns on for wasm32-unknown-unknown; wasm-opt must keep them.
	scripts/site/node_modules/.bin/wasm-opt -Oz \
		--enable-bulk-memory --enable-mutable-globals --enable-nontrapping-float-to-int \
		--enable-sign-ext --enable-reference-types --enable-multivalue \
		-o "$pkg/${bundle}_bg.wasm" "$pkg/${bundle}_bg.wasm"
done
# One stylesheet: the tokens, then the components made of them, then where pages place them.
cat style/tokens.css style/components.css style/pages.css > "$pkg/ikono-chat.css"

step "site"
mkdir -p "$site"
cp -r public/. "$site/"
rm -rf "$site/pkg"
mv "$pkg" "$site/pkg"

step "compress"
node scripts/site/compress.mjs "$site" "$site/pkg"
echo "site built in ${SECONDS}s"
