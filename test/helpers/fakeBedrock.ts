/**
 * A loopback server answering Bedrock's Converse operation (`POST /model/{modelId}/converse`, restJson) for the real
 * `@aws-sdk/client-bedrock-runtime`, in cleartext HTTP/2 (h2c, which the SDK speaks by default), HTTP/1.1 (which xva
 * speaks to an endpoint given: a proxy) or either, told apart by the first bytes of each connection (HTTP/2's
 * connection preface "PRI * HTTP/2.0"); a server of one version only hands every connection to that one, as a real
 * one would (an HTTP/1.1 server answers the HTTP/2 preface 400, an HTTP/2 server a request line GOAWAY). Every request's AWS Signature
 * Version 4 is recomputed here from the secret key, independently of the SDK, following the published algorithm
 * (AWS General Reference, "Create a signed AWS API request": canonical request → string to sign → HMAC chain
 * kDate/kRegion/kService/kSigning); a request that does not verify gets 403 InvalidSignatureException.
 */

import http from 'node:http';
import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { createHash, createHmac } from 'node:crypto';

export interface ConverseBody {
  system?: { text: string }[];
  messages: { role: string; content: Record<string, unknown>[] }[];
  toolConfig?: { tools: { toolSpec: { name: string; description: string; inputSchema: { json: unknown } } }[] };
  inferenceConfig?: Record<string, unknown>;
}

/** A scripted reply: JSON, or `text` sent as it is (a proxy's HTML page, a truncated body). */
export type BedrockReply = { status: number; json: unknown; errorType?: string; text?: string };

export interface SignedRequest {
  path: string;
  modelId: string;
  body: ConverseBody;
  raw: string;
  authorization: string;
  /** The HTTP version the request came in: "2.0" or "1.1". */
  httpVersion: string;
  /** Credential scope from the Authorization header: access key id, date, region, service. */
  scope: { accessKeyId: string; date: string; region: string; service: string };
  signatureValid: boolean;
}

export interface FakeBedrock {
  url: string;
  requests: SignedRequest[];
  close(): Promise<void>;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it (unreserved: A-Z a-z 0-9 - _ . ~). */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Canonical query string: parameters sorted by name, names and values encoded. */
function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .map((pair) => pair.split('=').map((p) => uriEncode(decodeURIComponent(p))) as [string, string?])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : (a[1] ?? '') < (b[1] ?? '') ? -1 : 1))
    .map(([k, v]) => `${k}=${v ?? ''}`)
    .join('&');
}

/** Verifies a SigV4 Authorization header (`target` is the request's path and query as sent). */
export function verifySigV4(
  method: string,
  target: string,
  headers: http2.IncomingHttpHeaders,
  body: Buffer,
  secretAccessKey: string,
): { valid: boolean; scope: SignedRequest['scope']; authorization: string } {
  const authorization = String(headers.authorization ?? '');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
    authorization,
  );
  const empty = { accessKeyId: '', date: '', region: '', service: '' };
  if (!m) return { valid: false, scope: empty, authorization };
  const [, accessKeyId, date, region, service, signedHeaders, signature] = m as unknown as string[];
  const amzDate = String(headers['x-amz-date'] ?? '');
  const headerValue = (name: string): string => {
    if (name === 'host') return String(headers.host ?? headers[':authority'] ?? '');
    const v = headers[name];
    return (Array.isArray(v) ? v.join(',') : String(v ?? '')).trim().replace(/\s+/g, ' ');
  };
  const names = signedHeaders!.split(';');
  // canonical URI of non-S3 services: each segment of the (already encoded) path is encoded once more
  const [rawPath = '/', query = ''] = target.split('?');
  const canonicalUri = rawPath.split('/').map(uriEncode).join('/');
  const canonicalRequest = [
    method,
    canonicalUri,
    canonicalQuery(query),
    names.map((n) => `${n}:${headerValue(n)}\n`).join(''),
    signedHeaders,
    String(headers['x-amz-content-sha256'] ?? sha256(body)),
  ].join('\n');
  const scopeText = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scopeText, sha256(canonicalRequest)].join('\n');
  const kDate = hmac('AWS4' + secretAccessKey, date!);
  const kRegion = hmac(kDate, region!);
  const kService = hmac(kRegion, service!);
  const kSigning = hmac(kService, 'aws4_request');
  const expected = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
  return {
    valid: expected === signature && amzDate.startsWith(date!),
    scope: { accessKeyId: accessKeyId!, date: date!, region: region!, service: service! },
    authorization,
  };
}

export function converseAnswer(content: Record<string, unknown>[], stopReason: string): BedrockReply {
  return {
    status: 200,
    json: {
      output: { message: { role: 'assistant', content } },
      stopReason,
      usage: { inputTokens: 10, outputTokens: 10, totalTokens: 20 },
      metrics: { latencyMs: 1 },
    },
  };
}

export function bedrockError(status: number, errorType: string, message: string): BedrockReply {
  return { status, json: { message }, errorType };
}

/** The HTTP versions a fake endpoint speaks: both (the default), HTTP/2 only (h2c) or HTTP/1.1 only (a proxy). */
export type FakeBedrockProtocols = 'both' | 'http2' | 'http1';

export async function startFakeBedrock(
  secretAccessKey: string,
  script: (request: SignedRequest, n: number) => BedrockReply,
  protocols: FakeBedrockProtocols = 'both',
): Promise<FakeBedrock> {
  const requests: SignedRequest[] = [];
  const onRequest = (req: http2.Http2ServerRequest | http.IncomingMessage, res: http2.Http2ServerResponse | http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bodyBuffer = Buffer.concat(chunks);
      const raw = bodyBuffer.toString('utf8');
      const path = req.url ?? '';
      const match = /^\/model\/([^/]+)\/converse$/.exec(path);
      if (req.method !== 'POST' || !match) {
        res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'UnknownOperationException' });
        res.end(JSON.stringify({ message: `no route ${path}` }));
        return;
      }
      const check = verifySigV4(req.method, path, req.headers as http2.IncomingHttpHeaders, bodyBuffer, secretAccessKey);
      const request: SignedRequest = {
        path,
        modelId: decodeURIComponent(match[1]!),
        body: JSON.parse(raw) as ConverseBody,
        raw,
        authorization: check.authorization,
        httpVersion: req.httpVersion,
        scope: check.scope,
        signatureValid: check.valid,
      };
      requests.push(request);
      const reply = check.valid
        ? script(request, requests.length)
        : bedrockError(403, 'InvalidSignatureException', 'The request signature we calculated does not match');
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': `req-${requests.length}` };
      if (reply.errorType) headers['x-amzn-errortype'] = reply.errorType;
      res.writeHead(reply.status, headers);
      res.end(reply.text ?? JSON.stringify(reply.json));
    });
  };
  const h2 = http2.createServer();
  h2.on('request', onRequest);
  const h1 = http.createServer(onRequest);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (protocols !== 'both') {
      (protocols === 'http2' ? h2 : h1).emit('connection', socket);
      return;
    }
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      (first.toString('latin1').startsWith('PRI * HTTP/2.0') ? h2 : h1).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
