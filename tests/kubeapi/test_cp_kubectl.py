"""`kubectl cp` with the real kubectl v1.37 in both directions: kubectl runs `tar -xmf - -C <dir>` (archive on
stdin) and `tar cf - <path>` (archive on stdout) through exec [S kubectl pkg/cmd/cp/cp.go], which the simulated
containers answer with visualizer/engine/programs/archive.py. Served by ws_harness.ExecHarness."""

from __future__ import annotations

import pytest

from .ws_harness import ExecHarness

NOTE = "line one\nzwei — drei ✓\n"
BINARY = bytes(range(256)) * 4  # every byte value, including ones that are not UTF-8


@pytest.fixture(scope="module")
def api():
    with ExecHarness(speed=1.0) as api:
        assert api.console("kubectl run web --image=nginx:1.16.1").ok
        assert api.console("kubectl run bb --image=busybox -- sleep 3600").ok
        assert api.console("kubectl run quiet --image=registry.k8s.io/pause:3.9").ok
        api.advance(20)
        yield api


@pytest.mark.parametrize("pod", ["web", "bb"])
def test_cp_a_file_into_the_pod_and_back(api, tmp_path, pod):
    """The file arrives at the path given (cat shows it) and copying it back gives the same bytes."""
    src = tmp_path / "note.txt"
    src.write_text(NOTE)
    rc, out, err = api.kubectl("cp", str(src), f"{pod}:/tmp/note.txt")
    assert (rc, out, err) == (0, "", "")
    rc, out, err = api.kubectl("exec", pod, "--", "cat", "/tmp/note.txt")
    assert (rc, out) == (0, NOTE), err
    back = tmp_path / "back.txt"
    rc, out, err = api.kubectl("cp", f"{pod}:/tmp/note.txt", str(back))
    assert rc == 0, err
    assert back.read_text() == NOTE


def test_cp_binary_file_round_trip_is_byte_exact(api, tmp_path):
    """Bytes that are not UTF-8 survive both directions unchanged."""
    src = tmp_path / "blob.bin"
    src.write_bytes(BINARY)
    assert api.kubectl("cp", str(src), "bb:/tmp/blob.bin")[0] == 0
    back = tmp_path / "blob.back"
    rc, _, err = api.kubectl("cp", "bb:/tmp/blob.bin", str(back))
    assert rc == 0, err
    assert back.read_bytes() == BINARY


def test_cp_a_directory_tree_into_the_pod(api, tmp_path):
    """A local directory lands as a tree (`ls` lists it), and copies back with its files."""
    d = tmp_path / "site"
    (d / "css").mkdir(parents=True)
    (d / "index.html").write_text("<h1>hi</h1>\n")
    (d / "css" / "a.css").write_text("h1{}\n")
    assert api.kubectl("cp", str(d), "web:/usr/share/site")[0] == 0
    rc, out, _ = api.kubectl("exec", "web", "--", "ls", "/usr/share/site")
    assert (rc, out) == (0, "css\nindex.html\n")
    rc, out, _ = api.kubectl("exec", "web", "--", "cat", "/usr/share/site/css/a.css")
    assert out == "h1{}\n"
    back = tmp_path / "back"
    rc, _, err = api.kubectl("cp", "web:/usr/share/site", str(back))
    assert rc == 0, err
    assert (back / "index.html").read_text() == "<h1>hi</h1>\n"
    assert (back / "css" / "a.css").read_text() == "h1{}\n"


def test_cp_from_a_missing_path_writes_nothing_and_tar_says_why(api, tmp_path):
    """kubectl 1.37 runs `tar cf - /tmp/nope.txt`; GNU tar (nginx) cannot stat the path and sends an empty
    archive, so nothing is written (kubectl itself still exits 0, as upstream does). Its stderr, seen through
    `kubectl exec`, has GNU tar's words and exit status 2."""
    rc, _, err = api.kubectl("cp", "web:/tmp/nope.txt", str(tmp_path / "x"))
    assert (rc, err) == (0, "")
    assert not (tmp_path / "x").exists()
    rc, _, err = api.kubectl("exec", "web", "--", "tar", "cf", "/tmp/out.tar", "/tmp/nope.txt")
    assert rc == 2
    assert err == (
        "tar: Removing leading `/' from member names\n"
        "tar: /tmp/nope.txt: Cannot stat: No such file or directory\n"
        "tar: Exiting with failure status due to previous errors\n"
        "command terminated with exit code 2\n"
    )


def test_cp_into_an_image_without_tar_fails_like_the_runtime(api, tmp_path):
    """pause has no tar: the runtime's `executable file not found` as for any missing binary."""
    src = tmp_path / "n.txt"
    src.write_text("x\n")
    rc, _, err = api.kubectl("cp", str(src), "quiet:/tmp/n.txt")
    assert rc != 0
    assert 'exec: "tar": executable file not found in $PATH' in err
