"""The official MCP Python SDK (mcp==2.3.0) as an OAuth client of a protected server.

usage: python_oauth_client.py MCP_URL MODE

MODE is "legacy" (2025-11-25 handshake) or "2026-07-28". Logs in with the SDK's
OAuthClientProvider (protected resource metadata, authorization server discovery, dynamic
registration, PKCE S256, the `resource` indicator) against the authorization server the
MCP server names; this script plays the browser: it follows the authorization redirects
with a cookie jar (filling a sign-in or consent form when one is shown) and hands the code
to the SDK. Then it calls `whoami` (needs
`notes:read`), `admin` (needs `notes:admin`: a 403 step-up), and `whoami` again after the
access token expired (a refresh). Each passing check prints `OK <name>`; the first
failure raises.
"""

from __future__ import annotations

import html
import json
import re
import sys
import urllib.parse

import anyio
import httpx2
import mcp_types as types
from mcp import Client
from mcp.client.auth import OAuthClientProvider, TokenStorage
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

REDIRECT = "http://127.0.0.1:5999/callback"


def ok(name: str) -> None:
    print(f"OK {name}", flush=True)


class Memory(TokenStorage):
    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


def fill(page: str) -> tuple[str, dict[str, str]]:
    """The form of a sign-in or consent page, filled in: (action, fields)."""
    action = html.unescape(re.search(r'<form method="post" action="([^"]*)"', page).group(1))
    fields = {m.group(1): html.unescape(m.group(2)) for m in re.finditer(r'name="(\w+)" value="([^"]*)"', page)}
    if 'name="password"' in page:
        fields.update(username="alice", password="pw")
    if 'name="decision"' in page:
        fields["decision"] = "allow"
    return action, fields


class Browser:
    """Follows the authorization redirects, keeping cookies, up to the redirect URI; fills
    the forms on the way (signs in as alice, allows on a consent page)."""

    def __init__(self) -> None:
        self.http = httpx2.AsyncClient()
        self.result: AuthorizationCodeResult | None = None
        self.authorizations = 0

    async def open(self, url: str) -> None:
        self.authorizations += 1
        form = None
        for _ in range(20):
            if url.startswith(REDIRECT):
                q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
                assert "code" in q, f"no code in the redirect: {q}"
                self.result = AuthorizationCodeResult(code=q["code"], state=q.get("state"), iss=q.get("iss"))
                return
            if form is None:
                r = await self.http.get(url, follow_redirects=False)
            else:
                r = await self.http.post(url, data=form, follow_redirects=False)
                form = None
            loc = r.headers.get("location")
            if not loc and r.status_code == 200 and '<form method="post"' in r.text:
                loc, form = fill(r.text)
            assert loc, f"the authorization server stopped at {r.status_code}: {r.text[:300]}"
            url = urllib.parse.urljoin(url, loc)
        raise AssertionError("too many redirects")

    async def callback(self) -> AuthorizationCodeResult:
        assert self.result is not None, "no authorization code"
        r, self.result = self.result, None
        return r


def structured(result: types.CallToolResult) -> dict:
    assert not result.is_error, f"tool error: {result!r}"
    # Our server wraps a value without an object schema in `result`.
    if result.structured_content is not None:
        return result.structured_content.get("result", result.structured_content)
    return json.loads(result.content[0].text)


async def main(url: str, mode: str) -> None:
    storage, browser = Memory(), Browser()
    provider = OAuthClientProvider(
        server_url=url,
        client_metadata=OAuthClientMetadata(
            client_name="python-sdk-e2e",
            redirect_uris=[REDIRECT],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        ),
        storage=storage,
        redirect_handler=browser.open,
        callback_handler=browser.callback,
    )
    http = httpx2.AsyncClient(auth=provider, timeout=30)
    async with Client(streamable_http_client(url, http_client=http), mode=mode) as client:
        ok("connected")
        who = structured(await client.call_tool("whoami", {}))
        assert who.get("subject") == "alice", who
        assert storage.tokens is not None and storage.client is not None
        ok("login")
        first_token = storage.tokens.access_token
        before = browser.authorizations
        admin = structured(await client.call_tool("admin", {}))
        assert admin.get("admin") is True, admin
        assert browser.authorizations == before + 1, "a step-up is a new authorization"
        assert "notes:admin" in (storage.tokens.scope or ""), storage.tokens.scope
        ok("step-up")
        # The access tokens live 3 seconds: the next call refreshes first.
        await anyio.sleep(4)
        granted = storage.tokens.access_token
        who = structured(await client.call_tool("whoami", {}))
        assert who.get("subject") == "alice", who
        assert storage.tokens.access_token not in (first_token, granted), "no new token after expiry"
        assert browser.authorizations == before + 1, "a refresh needs no new authorization"
        ok("refresh")


if __name__ == "__main__":
    anyio.run(main, sys.argv[1], sys.argv[2])
