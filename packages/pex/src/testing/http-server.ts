/**
 * Test helpers: a tiny HTTP server and forward proxy bound to 127.0.0.1 only, with a request log,
 * for exercising download, index and error paths without the internet.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/** Handles one request; `hit` counts requests to this path so far (1 for the first). */
export type Route = (
  req: IncomingMessage,
  res: ServerResponse,
  hit: number,
) => void | Promise<void>;

export interface TestServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  origin: string;
  port: number;
  requests: RecordedRequest[];
  /** Adds or replaces the handler of an exact path (query string ignored). */
  route(path: string, handler: Route): void;
  close(): Promise<void>;
}

function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

async function shutdown(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export interface TestServerOptions {
  /** Serve HTTPS with this PEM key and certificate (e.g. from {@link makeTestCertificate}). */
  tls?: { key: string; cert: string };
}

export async function startTestServer(
  routes: Record<string, Route> = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const table = new Map(Object.entries(routes));
  const hits = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    const hit = (hits.get(path) ?? 0) + 1;
    hits.set(path, hit);
    const handler = table.get(path);
    if (handler === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`no route for ${path}\n`);
      return;
    }
    Promise.resolve(handler(req, res, hit)).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
      else res.destroy();
    });
  };
  const server: Server =
    options.tls === undefined ? createServer(handle) : createHttpsServer(options.tls, handle);
  const sockets = trackSockets(server);
  if (options.tls !== undefined) {
    server.on('secureConnection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
  }
  const port = await listen(server);
  return {
    origin: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    port,
    requests,
    route: (path, handler) => void table.set(path, handler),
    close: () => shutdown(server, sockets),
  };
}

/** A route answering 200 with fixed bytes. */
export function serveBytes(
  body: Uint8Array | string,
  contentType = 'application/octet-stream',
): Route {
  return (_req, res) => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    res
      .writeHead(200, { 'content-type': contentType, 'content-length': String(bytes.length) })
      .end(bytes);
  };
}

/** A route announcing the full length but sending only `sendBytes` bytes, then cutting the connection. */
export function serveTruncated(body: Uint8Array, sendBytes: number): Route {
  return (_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(body.length),
    });
    res.write(body.subarray(0, sendBytes), () => res.socket?.destroy());
  };
}

export interface TestProxy {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** `host:port` targets seen, for CONNECT tunnels and absolute-form requests alike. */
  targets: string[];
  /** `Proxy-Authorization` header of each of those requests ('' when absent). */
  authorizations: string[];
  close(): Promise<void>;
}

/** A forward proxy (CONNECT tunnels and absolute-form GETs) that only connects to 127.0.0.1. */
export async function startTestProxy(): Promise<TestProxy> {
  const targets: string[] = [];
  const authorizations: string[] = [];
  const server = createServer((req, res) => {
    const target = new URL(req.url ?? '');
    targets.push(target.host);
    authorizations.push(req.headers['proxy-authorization'] ?? '');
    if (target.hostname !== '127.0.0.1') {
      res.writeHead(403).end('test proxy only forwards to 127.0.0.1');
      return;
    }
    const upstream = httpRequest(target, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const [host, port] = (req.url ?? '').split(':');
    targets.push(req.url ?? '');
    authorizations.push(req.headers['proxy-authorization'] ?? '');
    if (host !== '127.0.0.1') {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });
  const sockets = trackSockets(server);
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    targets,
    authorizations,
    close: () => shutdown(server, sockets),
  };
}

/**
 * A self-signed certificate for `127.0.0.1` made with the `openssl` command (undefined when
 * `openssl` is not installed), written to `dir/cert.pem` and `dir/key.pem`.
 */
export function makeTestCertificate(
  dir: string,
): { key: string; cert: string; certFile: string } | undefined {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const result = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'pipe' },
  );
  if (result.error !== undefined || result.status !== 0) return undefined;
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

/**
 * A readable zip of exactly `size` bytes (one stored entry `x` of random bytes), standing in for a
 * wheel in transport tests (the fetcher refuses unpinned `.whl` downloads that do not read as zips).
 */
export function fakeArchiveBytes(size: number): Buffer {
  const data = randomBytes(Math.max(0, size - 100));
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(1, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(1, 28);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(47, 12);
  eocd.writeUInt32LE(31 + data.length, 16);
  return Buffer.concat([local, Buffer.from('x'), data, central, Buffer.from('x'), eocd]);
}
