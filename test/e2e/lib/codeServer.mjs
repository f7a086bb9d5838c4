// A private code-server (VS Code 1.100 in the browser): its own user data, extensions and
// config, listening on loopback only, with our .vsix installed the way a user installs it.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { CODE_SERVER_ENTRY, VENV_PYTHON } from './paths.mjs';
import { startOwned, waitForOutput } from './processes.mjs';

const run = promisify(execFile);

/** Settings that keep the editor quiet and typing literal, and point the extension at our venv. */
export function defaultUserSettings(pythonPath = VENV_PYTHON) {
  return {
    'hotswap.pythonPath': pythonPath,
    // The LSP traffic lands in the Hotswap log, which a failing test copies to test-results/.
    'hotswap.trace.server': 'messages',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.enableExperiments': false,
    'extensions.ignoreRecommendations': true,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'window.restoreWindows': 'none',
    'files.autoSave': 'off',
    'editor.autoClosingBrackets': 'never',
    'editor.autoClosingQuotes': 'never',
    'editor.autoIndent': 'none',
    'editor.autoSurround': 'never',
    'editor.formatOnType': false,
    'editor.quickSuggestions': { other: false, comments: false, strings: false },
    'editor.suggestOnTriggerCharacters': false,
    'editor.acceptSuggestionOnEnter': 'off',
    'editor.wordBasedSuggestions': 'off',
    'editor.parameterHints.enabled': false,
    'editor.hover.enabled': false,
    'editor.minimap.enabled': false,
    'chat.commandCenter.enabled': false,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.banner': 'always',
  };
}

/** Lay out a private user-data dir with settings and a config file outside $HOME. */
export function prepareUserData(userDataDir, settings = defaultUserSettings()) {
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const config = path.join(userDataDir, 'config.yaml');
  writeFileSync(config, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n', { mode: 0o600 });
  return config;
}

/** `code-server --install-extension`, exactly what a user runs with a downloaded .vsix. */
export async function installExtension(vsix, { userDataDir, extensionsDir }) {
  mkdirSync(extensionsDir, { recursive: true });
  const { stdout, stderr } = await run(
    process.execPath,
    [CODE_SERVER_ENTRY, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'],
    { timeout: 120_000 },
  );
  if (!/successfully installed/i.test(stdout + stderr)) {
    throw new Error(`installing ${vsix} failed:\n${stdout}\n${stderr}`);
  }
}

/**
 * Start code-server on 127.0.0.1 with a free port and wait until it listens.
 * @param {{ userDataDir: string, extensionsDir: string, trust: boolean, env: NodeJS.ProcessEnv, cwd?: string }} options
 */
export async function startCodeServer({ userDataDir, extensionsDir, trust, env, cwd }) {
  const config = path.join(userDataDir, 'config.yaml');
  const args = [
    CODE_SERVER_ENTRY,
    '--config', config,
    '--auth', 'none',
    '--bind-addr', '127.0.0.1:0',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
  if (trust) args.push('--disable-workspace-trust');
  const owned = startOwned('code-server', process.execPath, args, { env, cwd });
  const match = await waitForOutput(owned, /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//, 60_000);
  return { owned, url: match[1] };
}
