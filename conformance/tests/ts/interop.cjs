// Interoperability with the official TypeScript SDK (@modelcontextprotocol/sdk): its Client
// drives `conformance-server --port N` over HTTP and prints one "OK <check>" line per
// check, in order. Run by conformance/tests/ts_interop.rs.
//
// usage: node interop.cjs --url http://127.0.0.1:N/mcp [--transport streamable|sse]
//
// NODE_CACHE names the folder scripts/setup-node.sh installed the SDK into (its
// node_modules is not next to this file). Exits non-zero at the first failed check.
"use strict";

const path = require("path");
const { createRequire } = require("module");

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const url = arg("--url");
const transportKind = arg("--transport", "streamable");
const cache = process.env.NODE_CACHE;
if (!url || !cache) {
  console.error("usage: NODE_CACHE=<dir> node interop.cjs --url <url> [--transport streamable|sse]");
  process.exit(2);
}
const sdk = createRequire(path.join(path.resolve(cache), "package.json"));
const { Client } = sdk("@modelcontextprotocol/sdk/client/index.js");
const { StreamableHTTPClientTransport } = sdk("@modelcontextprotocol/sdk/client/streamableHttp.js");
const { SSEClientTransport } = sdk("@modelcontextprotocol/sdk/client/sse.js");
const {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ProgressNotificationSchema,
} = sdk("@modelcontextprotocol/sdk/types.js");

function check(cond, what, detail) {
  if (!cond) {
    throw new Error(`${what}: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`);
  }
}

function text(result) {
  const block = (result.content || result.contents || [])[0] || {};
  return block.text || "";
}

async function main() {
  const client = new Client(
    { name: "fastmcp-ts-interop", version: "1.0.0" },
    { capabilities: { sampling: {}, elicitation: {} } },
  );
  client.setRequestHandler(CreateMessageRequestSchema, async (req) => {
    const prompt = req.params.messages[0].content.text;
    return {
      role: "assistant",
      content: { type: "text", text: `echo: ${prompt}` },
      model: "ts-interop-model",
      stopReason: "endTurn",
    };
  });
  client.setRequestHandler(ElicitRequestSchema, async () => ({
    action: "accept",
    content: { username: "ts-user", email: "ts@example.com" },
  }));
  const logs = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    logs.push(n.params);
  });

  const endpoint = new URL(url);
  const transport =
    transportKind === "sse"
      ? new SSEClientTransport(endpoint)
      : new StreamableHTTPClientTransport(endpoint);
  await client.connect(transport);
  const info = client.getServerVersion();
  check(info && info.name === "fastmcp-conformance-server", "serverInfo", info);
  console.log(`OK connect ${info.name} ${info.version}`);

  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  for (const n of ["test_simple_text", "test_typed_arguments", "test_sampling"]) {
    check(names.includes(n), "tools/list", `no ${n} in ${names.join(", ")}`);
  }
  const typed = tools.find((t) => t.name === "test_typed_arguments");
  check(typed.inputSchema.type === "object", "inputSchema", typed.inputSchema);
  console.log(`OK list_tools ${tools.length}`);

  let r = await client.callTool({
    name: "test_typed_arguments",
    arguments: { count: 3, ratio: 0.5, flag: true, tags: ["a", "b"], note: "hi" },
  });
  check(!r.isError, "call test_typed_arguments", r);
  check(text(r) === "count=3 ratio=0.5 flag=true tags=a,b note=hi", "typed arguments", r);
  console.log("OK call_tool_with_arguments");

  r = await client.callTool({ name: "test_structured_output", arguments: { a: 2, b: 40 } });
  check(r.structuredContent && r.structuredContent.sum === 42, "structured output", r);
  console.log("OK call_structured_output");

  r = await client.callTool({ name: "test_error_handling", arguments: {} });
  check(r.isError === true && text(r).length > 0, "tool error", r);
  console.log("OK call_tool_error");

  const progress = [];
  if (transportKind === "sse") {
    // The SDK's `onprogress` can miss the last notification when it arrives in the same
    // chunk as the response (its response handler drops the request's progress handler
    // before the notification's deferred handler runs: typescript-sdk issue #2580), which
    // the legacy SSE stream makes likely. Count them with a handler of our own instead.
    client.setNotificationHandler(ProgressNotificationSchema, (n) => {
      if (n.params.progressToken === "ts-progress") progress.push(n.params.progress);
    });
    r = await client.callTool({
      name: "test_tool_with_progress",
      arguments: {},
      _meta: { progressToken: "ts-progress" },
    });
  } else {
    r = await client.callTool(
      { name: "test_tool_with_progress", arguments: {} },
      undefined,
      { onprogress: (p) => progress.push(p.progress) },
    );
  }
  check(progress.length >= 3, "progress notifications", progress);
  check(progress.every((v, i) => i === 0 || v >= progress[i - 1]), "progress order", progress);
  console.log(`OK progress ${progress.join(",")}`);

  await client.setLoggingLevel("debug");
  r = await client.callTool({ name: "test_tool_with_logging", arguments: {} });
  check(!r.isError, "call test_tool_with_logging", r);
  check(logs.length >= 3, "log notifications", logs);
  console.log(`OK logging ${logs.length}`);

  r = await client.callTool({ name: "test_sampling", arguments: { prompt: "What is 2+2?" } });
  check(text(r) === "LLM response: echo: What is 2+2?", "sampling", r);
  console.log("OK sampling");

  r = await client.callTool({ name: "test_elicitation", arguments: { message: "Who are you?" } });
  check(text(r).includes("ts-user") && text(r).includes("accept"), "elicitation", r);
  console.log("OK elicitation");

  let res = await client.readResource({ uri: "test://static-text" });
  check(
    res.contents[0].text === "This is the content of the static text resource.",
    "resources/read",
    res,
  );
  console.log("OK read_resource");

  res = await client.readResource({ uri: "test://template/123/data" });
  check(text(res).includes("123"), "template resource", res);
  console.log("OK read_resource_template");

  const { prompts } = await client.listPrompts();
  check(prompts.some((p) => p.name === "test_prompt_with_arguments"), "prompts/list", prompts);
  const p = await client.getPrompt({
    name: "test_prompt_with_arguments",
    arguments: { arg1: "alpha", arg2: "beta" },
  });
  check(
    p.messages[0].content.text === "Prompt with arguments: arg1='alpha', arg2='beta'",
    "prompts/get",
    p,
  );
  console.log("OK get_prompt");

  const c = await client.complete({
    ref: { type: "ref/prompt", name: "test_prompt_with_arguments" },
    argument: { name: "arg1", value: "par" },
  });
  check(
    JSON.stringify(c.completion.values) === JSON.stringify(["paris", "park", "party"]),
    "completion/complete",
    c,
  );
  console.log("OK complete");

  await client.close();
  console.log("OK close");
}

const timer = setTimeout(() => {
  console.error("FAIL timeout after 60 s");
  process.exit(1);
}, 60_000);
main().then(
  () => {
    clearTimeout(timer);
    process.exit(0);
  },
  (e) => {
    console.error(`FAIL ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  },
);
