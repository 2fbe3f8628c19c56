// The echo server written with the TypeScript SDK (npm `@modelcontextprotocol/sdk`), for
// comparison. Plain JavaScript (CommonJS), so it runs without a compile step; the SDK is
// found through NODE_PATH (benches/run.sh points it at target/bench-cache/npm/node_modules).
//
//   node echo_ts_sdk.cjs stdio [--tools N]
//   node echo_ts_sdk.cjs http --port N [--stateful] [--tools N]
//
// Same tools as every server of the benchmark: echo(message) -> message, slow(ms) ->
// "slept", work(ms) -> "worked" (sleeps half of ms, then computes for the other half), and
// with --tools N the extra echo tools tool_0 .. tool_{N-1}. HTTP is Streamable
// HTTP at /mcp on 127.0.0.1 with node:http: stateless (the SDK's documented pattern, a new
// server and transport per request) with JSON responses, or with --stateful one transport per
// session and SSE responses.
'use strict';

const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { McpServer } = require('@modelcontextprotocol/sdk/server/mcp.js');
const { StdioServerTransport } = require('@modelcontextprotocol/sdk/server/stdio.js');
const { StreamableHTTPServerTransport } = require('@modelcontextprotocol/sdk/server/streamableHttp.js');
const { z } = require('zod');

const SLOW_REPLY = 'slept';
const WORK_REPLY = 'worked';

// Compute (a multiply-add chain) until `ms` milliseconds have passed.
function computeFor(ms) {
  const end = performance.now() + ms;
  let acc = 0x7f4a7c15;
  let i = 0;
  while (performance.now() < end) {
    for (let k = 0; k < 64; k++) {
      acc = (Math.imul(acc, 1664525) + i) | 0;
      i++;
    }
  }
  return acc;
}

function parseArgs(argv) {
  const args = { transport: argv[0], port: undefined, stateful: false, tools: 0 };
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '--port') args.port = Number(argv[++i]);
    else if (argv[i] === '--stateful') args.stateful = true;
    else if (argv[i] === '--tools') args.tools = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (args.transport !== 'stdio' && args.transport !== 'http') throw new Error('transport must be stdio or http');
  if (args.transport === 'http' && !args.port) throw new Error('http needs --port');
  return args;
}

const args = parseArgs(process.argv.slice(2));

function buildServer() {
  const server = new McpServer({ name: 'echo', version: '1' });
  const echo = async ({ message }) => ({ content: [{ type: 'text', text: message }] });
  server.registerTool('echo', { description: 'Echo the message back.', inputSchema: { message: z.string() } }, echo);
  server.registerTool(
    'slow',
    { description: 'Sleep `ms` milliseconds, then answer.', inputSchema: { ms: z.number().int() } },
    async ({ ms }) => {
      await new Promise((r) => setTimeout(r, ms));
      return { content: [{ type: 'text', text: SLOW_REPLY }] };
    },
  );
  server.registerTool(
    'work',
    {
      description: 'Sleep half of `ms` milliseconds, compute for the other half, then answer.',
      inputSchema: { ms: z.number().int() },
    },
    async ({ ms }) => {
      await new Promise((r) => setTimeout(r, ms / 2));
      computeFor(ms / 2);
      return { content: [{ type: 'text', text: WORK_REPLY }] };
    },
  );
  for (let i = 0; i < args.tools; i++) {
    server.registerTool(`tool_${i}`, { description: 'Echo the message back.', inputSchema: { message: z.string() } }, echo);
  }
  return server;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res, status) {
  res.writeHead(status).end();
}

async function main() {
  if (args.transport === 'stdio') {
    await buildServer().connect(new StdioServerTransport());
    return;
  }
  const sessions = new Map();
  const httpServer = http.createServer(async (req, res) => {
    try {
      if (new URL(req.url, 'http://x').pathname !== '/mcp') return reply(res, 404);
      const body = req.method === 'POST' ? JSON.parse(await readBody(req)) : undefined;
      if (!args.stateful) {
        if (req.method !== 'POST') return reply(res, 405);
        const server = buildServer();
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
        res.on('close', () => {
          transport.close();
          server.close();
        });
        await server.connect(transport);
        await transport.handleRequest(req, res, body);
        return;
      }
      const sid = req.headers['mcp-session-id'];
      let transport = sid ? sessions.get(sid) : undefined;
      if (!transport) {
        if (sid || req.method !== 'POST' || !body || body.method !== 'initialize') return reply(res, sid ? 404 : 400);
        transport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => sessions.set(id, transport),
        });
        transport.onclose = () => {
          if (transport.sessionId) sessions.delete(transport.sessionId);
        };
        await buildServer().connect(transport);
      }
      await transport.handleRequest(req, res, body);
    } catch (e) {
      if (!res.headersSent) reply(res, 500);
      process.stderr.write(`error: ${e && e.stack ? e.stack : e}\n`);
    }
  });
  httpServer.keepAliveTimeout = 60000;
  httpServer.listen(args.port, '127.0.0.1');
}

main().catch((e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
