"""Kubernetes' own `$(VAR)` expansion of command, args and env values — not a shell.

`$(VAR)` becomes the variable's value when it is defined, and stays literally `$(VAR)` when it is not;
`$$` becomes `$`, so `$$(VAR)` yields the literal text `$(VAR)`; any other `$` is kept
[S kubernetes third_party/forked/golang/expansion/expand.go; api core/v1 types.go `Container.Command`].
"""

from __future__ import annotations


def expand(text: str, mapping: dict) -> str:
    """Returns text with `$(VAR)` references from mapping expanded and `$$` unescaped."""
    if "$" not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch != "$" or i + 1 >= n:
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "(":
            end = text.find(")", i + 2)
            if end < 0:
                out.append(text[i:])
                break
            name = text[i + 2 : end]
            out.append(mapping[name] if name in mapping else text[i : end + 1])
            i = end + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def expand_all(words: list[str] | None, mapping: dict) -> list[str] | None:
    """Returns each word expanded (None stays None)."""
    if words is None:
        return None
    return [expand(str(w), mapping) for w in words]
