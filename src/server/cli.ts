import { CliConfigError, USAGE, cliConfig } from './cli-config.js';
import { startSyncServer } from './http.js';

/**
 * `npm run server`: a sync server on a PGlite folder (or --db postgres://…) for apps on this
 * machine: browsers on localhost may call it, other sites may not (see --help). Anything that keeps
 * it from starting ends with one line on stderr and exit code 1.
 */
async function main(): Promise<void> {
  const config = cliConfig(process.env, process.argv.slice(2));
  if (config === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const server = await startSyncServer(config).catch((error: unknown) => {
    throw new Error(startupFailure(error, config.host, config.port), { cause: error });
  });
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`kalphite server: closing failed: ${message(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // After the handlers: whoever waits for this line may stop the server at once.
  const where = /^postgres(ql)?:/i.test(config.db) ? 'PostgreSQL' : config.db;
  console.log(`Kalphite sync server on ${server.syncUrl} (an engine's syncUrl: push, pull, poke) — data in ${where}`);
}

/** One line for what stopped the server from starting, in the user's terms where we know them. */
function startupFailure(error: unknown, host: string, port: number): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'EADDRINUSE') return `Port ${port} on ${host} is in use: stop the other server or choose another port (--port or PORT).`;
  if (code === 'EACCES') return `Not allowed to listen on ${host}:${port}: choose a port above 1023 (--port or PORT).`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return `The host ${host} is not an address of this machine (--host or HOST).`;
  if (code === '3D000' || code === '28P01' || code === '28000') return `PostgreSQL refused: ${message(error)}.`;
  return message(error);
}

function message(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.split('\n')[0] ?? text;
}

main().catch((error: unknown) => {
  const prefix = error instanceof CliConfigError ? 'kalphite server: ' : 'kalphite server could not start: ';
  console.error(`${prefix}${message(error)}`);
  process.exit(1);
});
