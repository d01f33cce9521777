"""`tar` in the simulated containers (visualizer/engine/programs/archive.py): real ustar archives over the
container filesystem, with GNU tar's and busybox tar's words [S kubectl pkg/cmd/cp/cp.go runs `tar -xmf - -C`
and `tar cf -`]."""

import io
import tarfile
from types import SimpleNamespace

from visualizer.engine.programs.archive import from_bytes, to_bytes
from visualizer.engine.programs.container import exec_command, machine_for

BUSYBOX = SimpleNamespace(repository="library/busybox")


def _run(argv, ctr, stdin="", ref=None):
    m = machine_for(None, ctr, pod=None, cname="c", sb=None, ref=ref, hostname="box", now=0.0, collect=False)
    out, err = [], []
    m._out, m._err = [out.append], [err.append]
    code = exec_command(m, argv, stdin)[1]
    return code, "".join(out), "".join(err)


def _ctr(fs=None):
    return {"logs": [], "env": {}, "fs": dict(fs or {})}


def _archive(members: dict) -> str:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                tf.addfile(info)
            else:
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return from_bytes(buf.getvalue())


def test_bytes_round_trip_through_text():
    """Every byte value survives to_bytes(from_bytes(…))."""
    data = bytes(range(256))
    assert to_bytes(from_bytes(data)) == data


def test_extract_as_kubectl_cp_into_a_directory():
    """`tar -xmf - -C /tmp` writes the members under /tmp, making directories as needed; nothing printed."""
    ctr = _ctr()
    stdin = _archive({"d": None, "d/a.txt": b"A\n", "note.txt": b"hi \xff\n"})
    assert _run(["tar", "-xmf", "-", "-C", "/tmp"], ctr, stdin) == (0, "", "")
    assert ctr["fs"]["/tmp/note.txt"] == from_bytes(b"hi \xff\n")
    assert ctr["fs"]["/tmp/d/a.txt"] == "A\n"


def test_create_reads_back_as_a_real_ustar_archive():
    """`tar cf - /tmp/d` writes a ustar archive (names without the leading /) with GNU's stderr note."""
    ctr = _ctr({"/tmp/d/a.txt": "A\n", "/tmp/d/b/c.txt": "C\n"})
    code, out, err = _run(["tar", "cf", "-", "/tmp/d"], ctr)
    assert (code, err) == (0, "tar: Removing leading `/' from member names\n")
    with tarfile.open(fileobj=io.BytesIO(to_bytes(out)), mode="r:") as tf:
        names = tf.getnames()
        assert tf.extractfile("tmp/d/b/c.txt").read() == b"C\n"
    assert names == ["tmp/d", "tmp/d/a.txt", "tmp/d/b", "tmp/d/b/c.txt"]


def test_list_and_verbose_extract_print_member_names():
    """`tar tf -` lists members; `tar xvf -` prints each name as it extracts."""
    stdin = _archive({"x.txt": b"x", "y.txt": b"y"})
    assert _run(["tar", "tf", "-"], _ctr(), stdin) == (0, "x.txt\ny.txt\n", "")
    assert _run(["tar", "xvf", "-"], _ctr(), stdin)[1] == "x.txt\ny.txt\n"


def test_errors_in_gnu_and_busybox_words():
    """Not an archive, a missing -C directory, a missing path: GNU exits 2, busybox 1."""
    assert _run(["tar", "xf", "-"], _ctr(), "hello world\n" * 50) == (
        2,
        "",
        "tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n",
    )
    assert _run(["tar", "xf", "-"], _ctr(), "hello world\n" * 50, BUSYBOX) == (
        1,
        "",
        "tar: invalid tar magic\n",
    )
    assert _run(["tar", "-xmf", "-", "-C", "/nope"], _ctr(), _archive({"a": b""}), BUSYBOX) == (
        1,
        "",
        "tar: can't change directory to '/nope': No such file or directory\n",
    )
    code, _, err = _run(["tar", "cf", "-", "missing"], _ctr(), "", BUSYBOX)
    assert (code, err) == (1, "tar: missing: No such file or directory\n")


def test_extract_into_a_read_only_mount_fails():
    """A write the filesystem refuses is reported per member with GNU's `Cannot open`."""
    ctr = _ctr()
    code, _, err = _run(["tar", "xf", "-"], ctr, _archive({"dev/null/x": b"a"}))
    assert code == 2 and "tar: dev/null/x: Cannot open:" in err


def test_too_large_and_truncated_archives_fail_without_writing():
    """A member larger than a file may hold is refused (not cut); a cut-off archive is GNU's Unexpected EOF."""
    ctr = _ctr()
    assert _run(["tar", "xf", "-"], ctr, _archive({"big": b"x" * 70000})) == (
        2,
        "",
        "tar: big: Cannot write: No space left on device\ntar: Exiting with failure status due to previous errors\n",
    )
    assert "/big" not in ctr["fs"]
    cut = _archive({"a.txt": b"x" * 3000})[:1500]
    assert _run(["tar", "xf", "-"], ctr, cut) == (
        2,
        "",
        "tar: Unexpected EOF in archive\ntar: Error is not recoverable: exiting now\n",
    )
