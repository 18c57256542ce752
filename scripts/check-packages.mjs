// `npm run check:packages`: publint and @arethetypeswrong/cli over every built, publishable workspace package.
// Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = join(import.meta.dirname, '..');
const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
let failed = false;

for (const dir of workspaces) {
  const pkgDir = join(root, dir);
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  if (pkg.private) continue;
  if (!existsSync(join(pkgDir, 'dist'))) {
    console.error(`${pkg.name}: no dist/ — run \`npm run build\` first.`);
    failed = true;
    continue;
  }
  console.log(`\n${pkg.name}: publint`);
  const { messages } = await publint({ pkgDir, strict: true, level: 'suggestion' });
  for (const message of messages) {
    console.log(`  ${message.type}: ${formatMessage(message, pkg)}`);
    if (message.type !== 'suggestion') failed = true;
  }
  if (messages.length === 0) console.log('  ok');
  console.log(`${pkg.name}: are the types wrong (node16 + bundler resolution, ESM and CJS)`);
  try {
    // node10 resolution cannot see subpath exports at all; TypeScript deprecates it.
    const out = execFileSync(
      'npx',
      ['attw', '--pack', pkgDir, '--profile', 'node16', '--format', 'table-flipped'],
      {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    console.log(out.trim().replace(/^/gm, '  '));
  } catch (error) {
    console.log(
      String(error.stdout ?? '')
        .trim()
        .replace(/^/gm, '  '),
    );
    console.error(String(error.stderr ?? '').trim());
    failed = true;
  }
}

if (failed) {
  console.error('\ncheck:packages failed');
  process.exit(1);
}
console.log('\ncheck:packages ok');
