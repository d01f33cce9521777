"""The join link and QR code: an address students can reach, or a warning saying what to type."""

import pytest
from django.urls import reverse

from course.classroom import join_link as join_link_module
from course.classroom.join_link import LOOPBACK_SERVER, NO_LAN_ADDRESS, JoinLink, join_link

PATH = "/class/ABC234/"


def link(host, *, lan_mode=True, addresses=("192.168.0.23", "fd00::2"), public_url="", scheme="http"):
    return join_link(
        PATH, scheme=scheme, host=host, lan_mode=lan_mode, addresses=list(addresses), public_url=public_url
    )


def test_loopback_dashboard_on_a_lan_server_shows_the_lan_address():
    """The fault found: the QR code said 127.0.0.1, which on a phone is the phone itself."""
    assert link("127.0.0.1:8000") == JoinLink(
        "http://192.168.0.23:8000/class/ABC234/", "", ["http://[fd00::2]:8000/class/ABC234/"]
    )
    assert link("localhost:8000").url == "http://192.168.0.23:8000/class/ABC234/"
    assert link("[::1]").url == "http://192.168.0.23/class/ABC234/"


def test_a_dashboard_opened_at_a_reachable_address_keeps_it():
    assert link("192.168.0.23:8000") == JoinLink("http://192.168.0.23:8000/class/ABC234/")
    assert link("lab.example", scheme="https").url == "https://lab.example/class/ABC234/"


def test_public_url_wins():
    assert (
        link("127.0.0.1:8000", public_url="https://lab.example/").url == "https://lab.example/class/ABC234/"
    )


def test_a_loopback_server_warns_instead_of_pretending():
    assert link("127.0.0.1:8000", lan_mode=False) == JoinLink(
        "http://127.0.0.1:8000/class/ABC234/", LOOPBACK_SERVER
    )
    assert link("127.0.0.1:8000", addresses=()).problem == NO_LAN_ADDRESS


@pytest.mark.django_db
def test_dashboard_and_projector_show_the_lan_address_in_link_and_qr(client, klass, instructor, settings):
    settings.LAN_MODE, settings.LAN_ADDRESSES = True, ["192.168.0.23"]
    client.force_login(instructor)
    for name in ("teach", "projector"):
        page = client.get(reverse(f"course:classroom:{name}", args=[klass.code]), HTTP_HOST="127.0.0.1:8000")
        html = page.content.decode()
        assert f"http://192.168.0.23:8000/class/{klass.code}/" in html
        assert f"QR: http://192.168.0.23:8000/class/{klass.code}/" in html  # the QR code's title
        assert 'id="join-warning"' not in html and "127.0.0.1:8000/class/" not in html


@pytest.mark.django_db
def test_dashboard_and_projector_warn_when_only_loopback_listens(client, klass, instructor, settings):
    settings.LAN_MODE, settings.LAN_ADDRESSES = False, []
    client.force_login(instructor)
    for name in ("teach", "projector"):
        url = reverse(f"course:classroom:{name}", args=[klass.code])
        html = client.get(url, HTTP_HOST="127.0.0.1:8000").content.decode()
        assert f"http://127.0.0.1:8000/class/{klass.code}/" in html
        assert 'id="join-warning"' in html and "학생 기기에서는 이 주소가 열리지 않습니다" in html
        assert "make run HOST=0.0.0.0" in html


def test_the_command_to_serve_the_class_keeps_a_custom_port():
    assert join_link_module.serve_on_lan_command(8000) == "make run HOST=0.0.0.0"
    assert join_link_module.serve_on_lan_command("8765") == "make run HOST=0.0.0.0 PORT=8765"
    assert join_link_module.serve_on_lan_command(None) == "make run HOST=0.0.0.0"
