// A server built with the official MCP TypeScript SDK (@modelcontextprotocol/sdk, McpServer)
// that FastMCP's client drives in conformance/tests/client_interop.rs.
//
// usage: node ts_server.cjs            serve over stdio
//        node ts_server.cjs --port N   serve Streamable HTTP on http://127.0.0.1:N/mcp
//
// NODE_CACHE names the folder scripts/setup-node.sh installed the SDK into (default:
// target/node-cache of this repository). The SDK speaks only the handshake era
// (`initialize`, up to 2025-11-25): elicitation and sampling are requests the server sends
// to the client in the middle of a tool call.
"use strict";

const http = require("http");
const path = require("path");
const { randomUUID } = require("crypto");
const { createRequire } = require("module");

const cache = process.env.NODE_CACHE || path.resolve(__dirname, "../../../target/node-cache");
const sdk = createRequire(path.join(path.resolve(cache), "package.json"));
const { McpServer, ResourceTemplate } = sdk("@modelcontextprotocol/sdk/server/mcp.js");
const { StdioServerTransport } = sdk("@modelcontextprotocol/sdk/server/stdio.js");
const { StreamableHTTPServerTransport } = sdk("@modelcontextprotocol/sdk/server/streamableHttp.js");
const { CreateMessageResultSchema, ElicitResultSchema, isInitializeRequest } = sdk(
  "@modelcontextprotocol/sdk/types.js",
);
const { z } = sdk("zod");

const text = (t) => ({ content: [{ type: "text", text: t }] });

function textOf(result) {
  const c = result.content;
  return c && c.type === "text" ? c.text : JSON.stringify(c);
}

// Form elicitation, sent with the call's request id so that over HTTP it rides the call's
// own response stream.
async function askPerson(extra, message) {
  return extra.sendRequest(
    {
      method: "elicitation/create",
      params: {
        mode: "form",
        message,
        requestedSchema: {
          type: "object",
          properties: { name: { type: "string" }, age: { type: "integer" } },
          required: ["name", "age"],
        },
      },
    },
    ElicitResultSchema,
  );
}

async function sample(extra, question) {
  return extra.sendRequest(
    {
      method: "sampling/createMessage",
      params: { messages: [{ role: "user", content: { type: "text", text: question } }], maxTokens: 64 },
    },
    CreateMessageResultSchema,
  );
}

function buildServer() {
  const server = new McpServer(
    { name: "ts-interop-peer", version: "1.0.0" },
    { capabilities: { logging: {} } },
  );

  server.registerTool(
    "add",
    { description: "Add two integers.", inputSchema: { a: z.number().int(), b: z.number().int() } },
    async ({ a, b }) => text(String(a + b)),
  );

  server.registerTool(
    "count_with_progress",
    { description: "Report progress three times and log a message at each step." },
    async (extra) => {
      const token = extra._meta && extra._meta.progressToken;
      for (const step of [1, 2, 3]) {
        await extra.sendNotification({
          method: "notifications/message",
          params: { level: "info", data: `step ${step}` },
        });
        if (token !== undefined) {
          await extra.sendNotification({
            method: "notifications/progress",
            params: { progressToken: token, progress: step, total: 3, message: `step ${step} of 3` },
          });
        }
      }
      return text("counted to 3");
    },
  );

  server.registerTool(
    "greet_person",
    { description: "Ask the user (form elicitation) who they are, and greet them." },
    async (extra) => {
      const r = await askPerson(extra, "Who are you?");
      if (r.action !== "accept") {
        return text(`no answer: ${r.action}`);
      }
      return text(`Hello ${r.content.name}, age ${r.content.age}`);
    },
  );

  server.registerTool(
    "ask_llm",
    { description: "Ask the client's model (sampling) a question and return its text.", inputSchema: { question: z.string() } },
    async ({ question }, extra) => {
      const r = await sample(extra, question);
      return text(`model ${r.model} said: ${textOf(r)}`);
    },
  );

  server.registerTool(
    "poem",
    { description: "Elicit, then sample with the answer." },
    async (extra) => {
      const who = await askPerson(extra, "Who is the poem for?");
      if (who.action !== "accept") {
        return text(`no answer: ${who.action}`);
      }
      const verse = await sample(extra, `a poem for ${who.content.name}`);
      return text(`for ${who.content.name}: ${textOf(verse)}`);
    },
  );

  server.registerResource(
    "greeting",
    "static://greeting",
    { description: "A fixed greeting.", mimeType: "text/plain" },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: "text/plain", text: "Hello from TypeScript" }] }),
  );

  server.registerResource(
    "greet",
    new ResourceTemplate("greet://{name}", { list: undefined }),
    { description: "A greeting for anyone.", mimeType: "text/plain" },
    async (uri, { name }) => ({ contents: [{ uri: uri.href, mimeType: "text/plain", text: `Hello, ${name}!` }] }),
  );

  server.registerPrompt(
    "review",
    { description: "Ask for a code review.", argsSchema: { code: z.string() } },
    ({ code }) => ({
      messages: [{ role: "user", content: { type: "text", text: `Please review this code: ${code}` } }],
    }),
  );

  return server;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const s = Buffer.concat(chunks).toString("utf8");
      if (!s) return resolve(undefined);
      try {
        resolve(JSON.parse(s));
      } catch (e) {
        reject(e);
      }
    });
    req.on("error", reject);
  });
}

function jsonError(res, status, code, message) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}

// Stateful Streamable HTTP: one McpServer and transport per session, made by `initialize`.
function serveHttp(port) {
  const sessions = new Map();
  const httpServer = http.createServer(async (req, res) => {
    try {
      if (new URL(req.url, "http://127.0.0.1").pathname !== "/mcp") {
        res.writeHead(404).end();
        return;
      }
      const sid = req.headers["mcp-session-id"];
      if (req.method === "POST") {
        const body = await readBody(req);
        if (sid && sessions.has(sid)) {
          await sessions.get(sid).handleRequest(req, res, body);
        } else if (sid) {
          jsonError(res, 404, -32001, "Session not found");
        } else if (isInitializeRequest(body)) {
          const transport = new StreamableHTTPServerTransport({
            sessionIdGenerator: () => randomUUID(),
            onsessioninitialized: (id) => sessions.set(id, transport),
          });
          transport.onclose = () => {
            if (transport.sessionId) sessions.delete(transport.sessionId);
          };
          await buildServer().connect(transport);
          await transport.handleRequest(req, res, body);
        } else {
          jsonError(res, 400, -32000, "Bad Request: No valid session ID provided");
        }
      } else if (sid && sessions.has(sid)) {
        await sessions.get(sid).handleRequest(req, res);
      } else {
        jsonError(res, sid ? 404 : 400, -32000, "Bad Request: No valid session ID provided");
      }
    } catch (e) {
      console.error("ts_server:", e);
      if (!res.headersSent) jsonError(res, 500, -32603, String(e));
    }
  });
  httpServer.listen(port, "127.0.0.1");
}

const i = process.argv.indexOf("--port");
if (i >= 0) {
  serveHttp(Number(process.argv[i + 1]));
} else {
  buildServer()
    .connect(new StdioServerTransport())
    .catch((e) => {
      console.error("ts_server:", e);
      process.exit(1);
    });
}
