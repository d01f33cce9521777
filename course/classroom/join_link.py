"""The join link (and QR code) students open: an address their phones can reach, or a warning saying why not.

The instructor usually opens the dashboard at http://127.0.0.1:8000 on the laptop that runs the server; that
address means "this machine" on every phone, so it must never be in the QR code. In order:

1. PUBLIC_URL, when set, is what students open (a proxy, a DNS name, a fixed address).
2. A dashboard opened at a non-loopback address (a LAN address, a host name) is reachable by students too.
3. On loopback, a server listening beyond loopback gives its best LAN address (config.lan) — the others are
   offered as alternatives, since a laptop on Wi-Fi and Ethernet has two.
4. Otherwise no address works for students: the loopback link is shown with a warning naming the fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from config.lan import is_loopback, url_host

LOOPBACK_SERVER = "loopback_server"  # listening on 127.0.0.1 only: restart with make run HOST=0.0.0.0
NO_LAN_ADDRESS = "no_lan_address"  # listening beyond loopback, but this machine has no LAN address


@dataclass(frozen=True)
class JoinLink:
    """`url` to show and encode; `problem` is "" or why students cannot open it; `alternatives` are other URLs."""

    url: str
    problem: str = ""
    alternatives: list[str] = field(default_factory=list)


def join_link(
    path: str,
    *,
    scheme: str,
    host: str,
    lan_mode: bool,
    addresses: list[str],
    public_url: str = "",
) -> JoinLink:
    """Return the link to `path` (e.g. "/class/ABC234/") for students.

    `scheme` and `host` (with its port, as in the Host header) are those the instructor's request used;
    `lan_mode` says the server listens beyond loopback and `addresses` are this machine's reachable addresses,
    best first (settings.LAN_MODE and settings.LAN_ADDRESSES); `public_url` is settings.PUBLIC_URL.
    """
    if public_url:
        return JoinLink(public_url.rstrip("/") + path)
    here = f"{scheme}://{host}{path}"
    parts = urlsplit(f"//{host}")
    if not is_loopback(parts.hostname or ""):
        return JoinLink(here)
    if not lan_mode:
        return JoinLink(here, LOOPBACK_SERVER)
    if not addresses:
        return JoinLink(here, NO_LAN_ADDRESS)
    port = f":{parts.port}" if parts.port else ""
    urls = [f"{scheme}://{url_host(address)}{port}{path}" for address in addresses]
    return JoinLink(urls[0], "", urls[1:])


def serve_on_lan_command(port: str | int | None) -> str:
    """Return what to type so students can reach the server: `make run HOST=0.0.0.0`, with the port the
    instructor is using when it is not the Makefile's default (8000)."""
    port = str(port or "8000")
    return "make run HOST=0.0.0.0" + ("" if port == "8000" else f" PORT={port}")
