// Starts the project's real local Registry (Python) for the tests, and a tiny
// proxy in front of it that can fail chosen requests.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const SERVER_SCRIPT = `
import json, socket, sys
import uvicorn
from luml_notebooks.local_registry import RegistryStore, create_app
data_dir, threshold, part_size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
key = RegistryStore(data_dir).ensure_bootstrap()
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
app = create_app(
    data_dir, multipart_threshold=threshold, multipart_part_size=part_size or None
)
port = sock.getsockname()[1]
print(json.dumps({"url": f"http://127.0.0.1:{port}", "key": key}), flush=True)
uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
`;

function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'src', 'luml_notebooks', 'local_registry'))) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`no src/luml_notebooks above ${__dirname}`);
    }
    dir = parent;
  }
}

function pythonEnv(): NodeJS.ProcessEnv {
  const src = path.join(repoRoot(), 'src');
  return {
    ...process.env,
    PYTHONPATH: [src, process.env.PYTHONPATH]
      .filter(Boolean)
      .join(path.delimiter)
  };
}

let found: { python?: string; problem?: string } | undefined;

/**
 * A Python that can run the Registry from this checkout:
 * $LUML_NOTEBOOKS_PYTHON, the repository's .venv, then python3 on PATH.
 */
export function registryPython(): { python?: string; problem?: string } {
  if (found) {
    return found;
  }
  const candidates = [
    process.env.LUML_NOTEBOOKS_PYTHON,
    path.join(repoRoot(), '.venv', 'bin', 'python'),
    'python3'
  ].filter((p): p is string => Boolean(p));
  for (const python of candidates) {
    const check = spawnSync(
      python,
      ['-c', 'import luml_notebooks.local_registry, uvicorn, fastapi'],
      { env: pythonEnv(), encoding: 'utf-8', timeout: 60_000 }
    );
    if (check.status === 0) {
      found = { python };
      return found;
    }
  }
  found = {
    problem:
      'no Python with fastapi and uvicorn found to run the local Registry ' +
      `(tried ${candidates.join(', ')}); set LUML_NOTEBOOKS_PYTHON`
  };
  return found;
}

export interface ILiveRegistry {
  url: string;
  key: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startRegistry(
  options: { multipartThreshold?: number; partSize?: number } = {}
): Promise<ILiveRegistry> {
  const { python, problem } = registryPython();
  if (!python) {
    throw new Error(problem);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'luml-registry-'));
  const child: ChildProcess = spawn(
    python,
    [
      '-c',
      SERVER_SCRIPT,
      dataDir,
      String(options.multipartThreshold ?? 524_288_000),
      String(options.partSize ?? 0)
    ],
    { env: pythonEnv(), stdio: ['ignore', 'pipe', 'pipe'] }
  );
  let stderr = '';
  child.stderr!.on('data', chunk => (stderr += chunk));
  const info = await new Promise<{ url: string; key: string }>(
    (resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`the Registry did not start: ${stderr}`));
      }, 60_000);
      child.stdout!.on('data', chunk => {
        out += chunk;
        const line = out.split('\n')[0];
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve(JSON.parse(line));
        }
      });
      child.on('exit', code => {
        clearTimeout(timer);
        reject(new Error(`the Registry exited (${code}): ${stderr}`));
      });
    }
  );
  // uvicorn prints nothing when ready at this log level: wait for an answer
  for (let i = 0; i < 300; i++) {
    try {
      await fetch(info.url + '/');
      break;
    } catch {
      await new Promise(r => setTimeout(r, 50));
    }
  }
  return {
    ...info,
    dataDir,
    stop: () =>
      new Promise<void>(resolve => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => {
          fs.rmSync(dataDir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      })
  };
}

export type ProxyDecision = 'pass' | 'drop' | { status: number; body?: string };

export interface IFaultProxy {
  url: string;
  /** "METHOD /path" of every request seen. */
  seen: string[];
  decide: (method: string, path: string) => ProxyDecision;
  close(): Promise<void>;
}

/** An HTTP proxy on 127.0.0.1 that forwards to `target` unless told otherwise. */
export async function startFaultProxy(target: string): Promise<IFaultProxy> {
  const targetUrl = new URL(target);
  const proxy: IFaultProxy = {
    url: '',
    seen: [],
    decide: () => 'pass',
    close: async () => undefined
  };
  const server = http.createServer((req, res) => {
    const where = (req.url ?? '/').split('?')[0];
    proxy.seen.push(`${req.method} ${where}`);
    const decision = proxy.decide(req.method ?? 'GET', where);
    if (decision === 'drop') {
      req.socket.destroy();
      return;
    }
    if (decision !== 'pass') {
      req.resume();
      req.on('end', () => {
        res.writeHead(decision.status, { 'Content-Type': 'application/json' });
        res.end(decision.body ?? '');
      });
      return;
    }
    const upstream = http.request(
      {
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: req.method,
        path: req.url,
        // the Host stays the proxy's, so upload URLs point back here
        headers: req.headers
      },
      response => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      }
    );
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  proxy.url = `http://127.0.0.1:${port}`;
  proxy.close = () =>
    new Promise<void>(resolve => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function deadPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>(resolve => server.close(() => resolve()));
  return port;
}
