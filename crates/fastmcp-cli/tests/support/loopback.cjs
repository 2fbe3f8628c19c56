// Preloaded with `node --require` by the fastmcp CLI's tests: a server that asks to listen
// on a port alone (every interface) listens on 127.0.0.1 instead.
const http = require("node:http");
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (...args) {
  if (typeof args[0] === "number" || (typeof args[0] === "string" && /^\d+$/.test(args[0]))) {
    const port = Number(args[0]);
    const cb = args.find((a) => typeof a === "function");
    return listen.call(this, { port, host: "127.0.0.1" }, cb);
  }
  return listen.apply(this, args);
};
