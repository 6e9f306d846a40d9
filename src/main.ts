import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { App } from './app.ts';
import { ConfigError, readConfig, SETTINGS, type Config } from './config/index.ts';
import { AccountService, createAccountWithAdmin, DocumentService } from './documents/index.ts';
import { SystemClock, createLogger } from './lib/index.ts';
import { openStore } from './store/index.ts';

type Flags = Partial<Record<keyof Config, string>>;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

function withSettings(command: Command): Command {
  for (const s of Object.values(SETTINGS)) {
    // Commander names the attribute after the flag in camelCase, which is the config key.
    command.addOption(new Option(`--${s.flag} <value>`, `${s.help} (env ${s.env})`));
  }
  return command;
}

/** `switchboard start | create-account`; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('switchboard').version(version()).exitOverride();

  withSettings(program.command('start').description('run the switch and its APIs')).action(async (flags: Flags) => {
    const config = readConfig(process.env, flags);
    const app = await App.start({ config, version: version() });
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    app.logger.info('stopping');
    await app.close();
  });

  withSettings(program.command('create-account').description('create an account and its admin user (the first account becomes superduper admin)'))
    .requiredOption('--name <name>', 'account name')
    .requiredOption('--realm <realm>', 'SIP realm of the account')
    .requiredOption('--username <username>', 'admin user name')
    .requiredOption('--password <password>', 'admin password')
    .action(async (flags: Flags & { name: string; realm: string; username: string; password: string }) => {
      const { name, realm, username, password, ...settings } = flags;
      const config = readConfig(process.env, settings);
      const clock = new SystemClock();
      const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
      const store = await openStore({ clock, logger, ...(config.databaseUrl !== undefined ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir }) });
      try {
        const docs = new DocumentService(store);
        const { account, user } = await createAccountWithAdmin(new AccountService(docs), docs, { name, realm, username, password });
        process.stdout.write(`${JSON.stringify({ account_id: account._id, user_id: user._id, realm: account['realm'], superduper_admin: account['pvt_superduper_admin'] === true })}\n`);
      } finally {
        await store.close();
      }
    });

  try {
    await program.parseAsync(['node', 'switchboard', ...argv]);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`switchboard: invalid setting ${error.message}\n`);
      exitCode = 1;
    } else if (typeof error === 'object' && error !== null && 'exitCode' in error && typeof error.exitCode === 'number') {
      exitCode = error.exitCode; // commander's --help/--version/usage errors (already printed)
    } else {
      process.stderr.write(`switchboard: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      exitCode = 1;
    }
  }
  return exitCode;
}
