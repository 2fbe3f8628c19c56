//! The MCP wire types.
