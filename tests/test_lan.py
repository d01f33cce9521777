"""config.lan: loopback or LAN, and which of this machine's addresses students can use."""

import pytest

from config import lan


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST", "app.localhost", "ip6-localhost"],
)
def test_loopback_hosts(host):
    assert lan.is_loopback(host)


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "::", "192.168.0.10", "10.0.0.5", "[fd00::2]", "lab.example", ""]
)
def test_hosts_beyond_loopback(host):
    assert not lan.is_loopback(host)


@pytest.mark.parametrize(
    ("bind", "beyond"),
    [
        ("", False),
        ("127.0.0.1", False),
        ("localhost", False),
        ("::1", False),
        ("0.0.0.0", True),
        ("::", True),
        ("192.168.0.10", True),
    ],
)
def test_binds_beyond_loopback(bind, beyond):
    """An unknown bind (the app not started by `make run`) counts as loopback, the development default."""
    assert lan.binds_beyond_loopback(bind) is beyond


def test_addresses_are_ranked_for_students():
    """Physical before container bridges, IPv4 before IPv6, private before public; loopback, link-local
    and multicast dropped; duplicates once."""
    candidates = [
        ("127.0.0.1", "lo"),
        ("::1", "lo"),
        ("172.17.0.1", "docker0"),
        ("fe80::1%wlan0", "wlan0"),
        ("169.254.3.4", "eth1"),
        ("fd00::2", "wlan0"),
        ("203.0.113.50", "eth0"),
        ("192.168.0.23", "wlan0"),
        ("192.168.0.23", "wlan0"),
        ("10.8.0.2", "br-5f3a"),
        ("224.0.0.1", "eth0"),
        ("not-an-ip", "eth0"),
    ]
    assert lan.rank_addresses(candidates) == [
        "192.168.0.23",
        "203.0.113.50",
        "fd00::2",
        "10.8.0.2",
        "172.17.0.1",
    ]


def test_reachable_addresses_depend_on_the_bind():
    candidates = [("192.168.0.23", "wlan0"), ("fd00::2", "wlan0"), ("127.0.0.1", "lo")]
    assert lan.reachable_addresses("0.0.0.0", candidates) == ["192.168.0.23"]  # an IPv4 socket
    assert lan.reachable_addresses("::", candidates) == ["192.168.0.23", "fd00::2"]  # dual-stack
    assert lan.reachable_addresses("10.0.0.7", candidates) == ["10.0.0.7"]  # only where it listens
    assert lan.reachable_addresses("127.0.0.1", candidates) == []


def test_this_machines_interfaces_are_listed():
    """psutil answers on this machine: loopback is always there (and then filtered out by the ranking)."""
    found = lan.interface_addresses()
    assert ("127.0.0.1", next(name for address, name in found if address == "127.0.0.1")) in found
    assert "127.0.0.1" not in lan.rank_addresses(found)


def test_host_names_for_allowed_hosts():
    names = lan.lan_host_names(["192.168.0.23", "fd00::2"], "Teacher-Laptop.example.org")
    assert names == ["192.168.0.23", "[fd00::2]", "teacher-laptop", "teacher-laptop.local"]
    assert lan.lan_host_names([], "localhost") == []


def test_main_prints_what_to_open(capsys, monkeypatch):
    monkeypatch.setattr(lan, "interface_addresses", lambda: [("192.168.0.23", "wlan0")])
    lan.main(["0.0.0.0", "8000"])
    printed = capsys.readouterr().out
    assert "http://192.168.0.23:8000/class/" in printed and "http://127.0.0.1:8000/" in printed
    lan.main(["127.0.0.1", "8000"])
    assert "make run HOST=0.0.0.0" in capsys.readouterr().out
