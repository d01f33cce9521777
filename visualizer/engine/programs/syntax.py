"""The POSIX sh subset the containers run: a tokenizer, a recursive-descent parser, and a compiler to flat code.

Why a small hand-written parser rather than `bashlex`: a container's program must be *resumable* in simulated
time (it sleeps for 30 s while the cluster runs on) and its state must be JSON-ready so `Cluster.to_dict()`
round-trips. Compiling the script to a flat list of instructions with jumps makes the whole state of a running
script a program counter, the variables and the `for` loop positions; an AST walker (what bashlex gives) would
need a saved call stack. bashlex also parses bash, not busybox `sh`, and would be a new dependency for ~300 lines.

Grammar (POSIX.1-2017 Shell Command Language §2.9, the subset kubernetes.io examples use):
    list     := and_or ((';' | '&' | NEWLINE) and_or)*
    and_or   := pipeline (('&&' | '||') pipeline)*
    pipeline := ['!'] command ('|' command)*
    command  := simple | if | while | until | for | '{' list '}' | '(' list ')'  [redirections]
Words keep their quoting as parts: ("lit", text) quoted or escaped text, ("raw", text) unquoted text,
("var", name, op, word) / ("qvar", …) parameter expansions, ("sub"/"qsub", script) command substitutions,
("arith"/"qarith", expr) arithmetic; the "q" forms were inside double quotes and are not field-split.

Compiled instructions (tuples; code is cached by script text, never stored in the state):
    ("run", cmd)            a simple command {"assign", "words", "redir"}
    ("pipe", [code, …])     a pipeline; its stages run to completion at once (no simulated time passes)
    ("block", code, redir)  a compound command with redirections, run to completion at once
    ("not",)                negate the last status
    ("j", n) ("jf", n) ("jt", n)   jump always / if status != 0 / if status == 0
    ("forinit", words) ("fornext", name, n) ("forpop",)   a `for` loop's item list kept in the state
"""

from __future__ import annotations

import functools

OPERATORS = (
    "&&",
    "||",
    ";;",
    ">>",
    "2>&1",
    ">&2",
    "1>&2",
    "2>>",
    "&>",
    "2>",
    "1>",
    ";",
    "&",
    "|",
    "(",
    ")",
    ">",
    "<",
)
RESERVED = {
    "if",
    "then",
    "elif",
    "else",
    "fi",
    "while",
    "until",
    "do",
    "done",
    "for",
    "in",
    "!",
    "{",
    "}",
    "case",
    "esac",
}


class ShellSyntaxError(Exception):
    """A script busybox sh would refuse; str() is the message after `sh: `."""


# ---------------------------------------------------------------------------------------------- tokenizer
def _param(text: str, i: int, quoted: bool):
    """Parses a `$…` expansion at text[i] == '$'; returns (part or None for a literal '$', next index)."""
    n = len(text)
    q = "q" if quoted else ""
    if i + 1 >= n:
        return None, i + 1
    ch = text[i + 1]
    if text.startswith("$((", i):
        depth, j = 0, i + 3
        while j < n:
            if text[j] == "(":
                depth += 1
            elif text[j] == ")":
                if depth == 0 and text.startswith("))", j):
                    return (q + "arith", text[i + 3 : j]), j + 2
                depth -= 1
            j += 1
        raise ShellSyntaxError("syntax error: unterminated $((")
    if ch == "(":
        j = _matching_paren(text, i + 2)
        return (q + "sub", text[i + 2 : j]), j + 1
    if ch == "{":
        j = text.find("}", i + 2)
        if j < 0:
            raise ShellSyntaxError("syntax error: bad substitution")
        body = text[i + 2 : j]
        if body.startswith("#") and len(body) > 1:
            return (q + "var", body[1:], "#", None), j + 1
        for op in (":-", ":=", ":+", ":?", "-", "=", "+", "?"):
            name, sep, rest = body.partition(op)
            if sep and name and (name.isidentifier() or name.isdigit() or name in "?#$@*"):
                return (q + "var", name, op, tokenize_word(rest, in_dquote=True)), j + 1
        if not body or not (body.isidentifier() or body.isdigit() or body in ("?", "#", "$", "@", "*", "!")):
            raise ShellSyntaxError("syntax error: bad substitution")
        return (q + "var", body, "", None), j + 1
    if ch in "?#$@*!-" or ch.isdigit():
        return (q + "var", ch, "", None), i + 2
    if ch.isalpha() or ch == "_":
        j = i + 1
        while j < n and (text[j].isalnum() or text[j] == "_"):
            j += 1
        return (q + "var", text[i + 1 : j], "", None), j
    return None, i + 1


def _matching_paren(text: str, j: int) -> int:
    """Returns the index of the `)` closing a `$(` whose body starts at j (quotes respected)."""
    depth, quote = 0, None
    while j < len(text):
        ch = text[j]
        if quote:
            if ch == quote:
                quote = None
            elif ch == "\\" and quote == '"':
                j += 1
        elif ch in "'\"":
            quote = ch
        elif ch == "\\":
            j += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return j
            depth -= 1
        j += 1
    raise ShellSyntaxError("syntax error: unterminated $(")


def tokenize_word(text: str, in_dquote: bool = False) -> list:
    """Returns the parts of a word given as text (used for `${x:-word}` defaults)."""
    parts: list = []
    i = 0
    while i < len(text):
        if text[i] == "$":
            part, i = _param(text, i, in_dquote)
            parts.append(part or ("lit", "$"))
        else:
            j = text.find("$", i)
            j = len(text) if j < 0 else j
            parts.append(("lit" if in_dquote else "raw", text[i:j]))
            i = j
    return parts


def tokenize(script: str) -> list:
    """Returns tokens: ("op", text), ("nl",), ("word", parts); raises ShellSyntaxError on unbalanced quotes."""
    tokens: list = []
    i, n = 0, len(script)
    parts: list = []
    started = False

    def flush():
        nonlocal parts, started
        if started:
            tokens.append(("word", parts))
        parts, started = [], False

    while i < n:
        ch = script[i]
        if ch in " \t":
            flush()
            i += 1
        elif ch == "\n":
            flush()
            tokens.append(("nl",))
            i += 1
        elif ch == "#" and not started:
            j = script.find("\n", i)
            i = n if j < 0 else j
        elif ch == "\\":
            if i + 1 < n and script[i + 1] == "\n":
                i += 2
                continue
            parts.append(("lit", script[i + 1 : i + 2]))
            started = True
            i += 2
        elif ch == "'":
            j = script.find("'", i + 1)
            if j < 0:
                raise ShellSyntaxError("syntax error: unterminated quoted string")
            parts.append(("lit", script[i + 1 : j]))
            started = True
            i = j + 1
        elif ch == '"':
            started = True
            i += 1
            buf = ""
            while True:
                if i >= n:
                    raise ShellSyntaxError("syntax error: unterminated quoted string")
                c2 = script[i]
                if c2 == '"':
                    i += 1
                    break
                if c2 == "\\" and i + 1 < n and script[i + 1] in '$`"\\\n':
                    if script[i + 1] != "\n":
                        buf += script[i + 1]
                    i += 2
                elif c2 == "$":
                    part, i = _param(script, i, True)
                    if part is None:
                        buf += "$"
                    else:
                        if buf:
                            parts.append(("lit", buf))
                            buf = ""
                        parts.append(part)
                elif c2 == "`":
                    j = script.find("`", i + 1)
                    if j < 0:
                        raise ShellSyntaxError("syntax error: unterminated `")
                    if buf:
                        parts.append(("lit", buf))
                        buf = ""
                    parts.append(("qsub", script[i + 1 : j]))
                    i = j + 1
                else:
                    buf += c2
                    i += 1
            parts.append(("lit", buf))
        elif ch == "$":
            part, i = _param(script, i, False)
            parts.append(part or ("raw", "$"))
            started = True
        elif ch == "`":
            j = script.find("`", i + 1)
            if j < 0:
                raise ShellSyntaxError("syntax error: unterminated `")
            parts.append(("sub", script[i + 1 : j]))
            started = True
            i = j + 1
        else:
            op = next((o for o in OPERATORS if script.startswith(o, i)), None)
            if op and op[0].isdigit() and started:
                op = None  # `a2>b` is the word a2 then `>`
            if op:
                flush()
                tokens.append(("op", op))
                i += len(op)
                continue
            j = i
            while j < n and script[j] not in " \t\n'\"\\$`;&|()<>":
                j += 1
            if j == i:
                j = i + 1
            parts.append(("raw", script[i:j]))
            started = True
            i = j
    flush()
    return tokens


def word_text(parts: list) -> str | None:
    """Returns the literal text of a word without expansions, or None if it has any."""
    if all(p[0] in ("lit", "raw") for p in parts):
        return "".join(p[1] for p in parts)
    return None


def _reserved(parts: list) -> str | None:
    """Returns the reserved word a token spells when unquoted (`do`, `done`, …), else None."""
    if len(parts) == 1 and parts[0][0] == "raw" and parts[0][1] in RESERVED:
        return parts[0][1]
    return None


# ---------------------------------------------------------------------------------------------- parser
class _Parser:
    def __init__(self, tokens: list):
        self.t = tokens
        self.i = 0

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else None

    def peek_reserved(self) -> str | None:
        tok = self.peek()
        return _reserved(tok[1]) if tok and tok[0] == "word" else None

    def skip_nl(self):
        while self.peek() and (self.peek() == ("nl",) or self.peek() == ("op", ";")):
            self.i += 1

    def skip_newlines_only(self):
        while self.peek() == ("nl",):
            self.i += 1

    def expect_reserved(self, word: str):
        self.skip_nl()
        if self.peek_reserved() != word:
            tok = self.peek()
            got = "end of file" if tok is None else _tok_text(tok)
            raise ShellSyntaxError(f'syntax error: unexpected {_quoted(got)} (expecting "{word}")')
        self.i += 1

    def list_until(self, *ends: str) -> list:
        """Parses commands until one of the reserved words `ends` (not consumed) or end of input."""
        items = []
        while True:
            self.skip_nl()
            tok = self.peek()
            if tok is None or self.peek_reserved() in ends or tok == ("op", ")"):
                return items
            items.append(self.and_or())
            tok = self.peek()
            if tok in (("op", ";"), ("op", "&"), ("nl",)):
                self.i += 1
            elif tok is not None and self.peek_reserved() not in ends and tok != ("op", ")"):
                raise ShellSyntaxError(f"syntax error: unexpected {_quoted(_tok_text(tok))}")

    def and_or(self):
        node = self.pipeline()
        while self.peek() in (("op", "&&"), ("op", "||")):
            op = self.t[self.i][1]
            self.i += 1
            self.skip_newlines_only()
            node = ("andor", op, node, self.pipeline())
        return node

    def pipeline(self):
        negate = False
        if self.peek_reserved() == "!":
            negate = True
            self.i += 1
        stages = [self.command()]
        while self.peek() == ("op", "|"):
            self.i += 1
            self.skip_newlines_only()
            stages.append(self.command())
        node = stages[0] if len(stages) == 1 else ("pipe", stages)
        return ("not", node) if negate else node

    def command(self):
        word = self.peek_reserved()
        if word == "if":
            self.i += 1
            branches = []
            cond = self.list_until("then")
            self.expect_reserved("then")
            body = self.list_until("elif", "else", "fi")
            branches.append((cond, body))
            other = None
            while True:
                w = self.peek_reserved()
                if w == "elif":
                    self.i += 1
                    cond = self.list_until("then")
                    self.expect_reserved("then")
                    branches.append((cond, self.list_until("elif", "else", "fi")))
                elif w == "else":
                    self.i += 1
                    other = self.list_until("fi")
                else:
                    break
            self.expect_reserved("fi")
            return self.redirected(("if", branches, other or []))
        if word in ("while", "until"):
            self.i += 1
            cond = self.list_until("do")
            self.expect_reserved("do")
            body = self.list_until("done")
            self.expect_reserved("done")
            return self.redirected((word, cond, body))
        if word == "for":
            self.i += 1
            tok = self.peek()
            if not tok or tok[0] != "word" or not (word_text(tok[1]) or "").isidentifier():
                raise ShellSyntaxError("syntax error: bad for loop variable")
            name = word_text(tok[1])
            self.i += 1
            self.skip_newlines_only()
            items = None
            if self.peek_reserved() == "in":
                self.i += 1
                items = []
                while self.peek() and self.peek()[0] == "word" and self.peek_reserved() != "do":
                    items.append(self.peek()[1])
                    self.i += 1
            self.expect_reserved("do")
            body = self.list_until("done")
            self.expect_reserved("done")
            return self.redirected(("for", name, items, body))
        if word == "{":
            self.i += 1
            body = self.list_until("}")
            self.expect_reserved("}")
            return self.redirected(("group", body))
        if self.peek() == ("op", "("):
            self.i += 1
            body = self.list_until()
            if self.peek() != ("op", ")"):
                raise ShellSyntaxError('syntax error: unexpected end of file (expecting ")")')
            self.i += 1
            return self.redirected(("group", body))
        if word in ("then", "do", "done", "fi", "elif", "else", "}", "in", "esac"):
            raise ShellSyntaxError(f'syntax error: unexpected "{word}"')
        if word == "case":
            raise ShellSyntaxError("case: not supported by the simulator's sh")
        return self.simple()

    def redirected(self, node):
        redir = self.redirections()
        return ("redir", node, redir) if redir else node

    def redirections(self) -> list:
        out = []
        while True:
            tok = self.peek()
            if tok and tok[0] == "op" and tok[1] in (">", ">>", "<", "2>", "2>>", "1>", "&>"):
                self.i += 1
                target = self.peek()
                if not target or target[0] != "word":
                    got = "end of file" if target is None else _tok_text(target)
                    raise ShellSyntaxError(f"syntax error: unexpected {_quoted(got)}")
                self.i += 1
                out.append((tok[1], target[1]))
            elif tok and tok[0] == "op" and tok[1] in ("2>&1", ">&2", "1>&2"):
                self.i += 1
                out.append((tok[1], None))
            else:
                return out

    def simple(self):
        assign, words, redir = [], [], []
        while True:
            tok = self.peek()
            if tok is None:
                break
            if tok[0] == "op" and tok[1] in (">", ">>", "<", "2>", "2>>", "1>", "&>", "2>&1", ">&2", "1>&2"):
                redir += self.redirections()
                continue
            if tok[0] != "word":
                break
            parts = tok[1]
            if not words and parts and parts[0][0] == "raw" and "=" in parts[0][1]:
                name, _, rest = parts[0][1].partition("=")
                if name.isidentifier():
                    assign.append((name, ([("raw", rest)] if rest else []) + list(parts[1:])))
                    self.i += 1
                    continue
            if words and _reserved(parts) in ("}",) and not redir:
                break
            words.append(parts)
            self.i += 1
        if not assign and not words and not redir:
            tok = self.peek()
            got = "end of file" if tok is None else _tok_text(tok)
            raise ShellSyntaxError(f"syntax error: unexpected {_quoted(got)}")
        return ("simple", {"assign": assign, "words": words, "redir": redir})


def _tok_text(tok) -> str:
    if tok[0] == "nl":
        return "newline"
    if tok[0] == "op":
        return tok[1]
    return word_text(tok[1]) or "word"


def _quoted(text: str) -> str:
    return text if text in ("end of file", "newline") else f'"{text}"'


# ---------------------------------------------------------------------------------------------- compiler
class _Compiler:
    def __init__(self):
        self.code: list = []
        self.loops: list = []  # (kind, continue target or None, list of break-jump indexes)

    def emit(self, ins) -> int:
        self.code.append(ins)
        return len(self.code) - 1

    def patch(self, at: int, target: int) -> None:
        op = self.code[at]
        self.code[at] = (op[0], target) if len(op) == 2 else (op[0], op[1], target)

    def body(self, items: list) -> None:
        for node in items:
            self.node(node)

    def node(self, node) -> None:
        kind = node[0]
        if kind == "simple":
            words = node[1]["words"]
            name = word_text(words[0]) if words else None
            if name in ("break", "continue") and self.loops:
                self.loop_jump(name, words)
                return
            self.emit(("run", node[1]))
        elif kind == "andor":
            self.node(node[2])
            at = self.emit(("jf" if node[1] == "&&" else "jt", -1))
            self.node(node[3])
            self.patch(at, len(self.code))
        elif kind == "not":
            self.node(node[1])
            self.emit(("not",))
        elif kind == "pipe":
            self.emit(("pipe", [compile_nodes([stage]) for stage in node[1]]))
        elif kind == "redir":
            self.emit(("block", compile_nodes([node[1]]), node[2]))
        elif kind == "group":
            self.body(node[1])
        elif kind == "if":
            ends = []
            for cond, body in node[1]:
                self.body(cond)
                skip = self.emit(("jf", -1))
                self.body(body)
                ends.append(self.emit(("j", -1)))
                self.patch(skip, len(self.code))
            self.body(node[2])
            if not node[2]:
                # POSIX: an if with no branch taken has exit status 0.
                self.emit(("status0",))
            for at in ends:
                self.patch(at, len(self.code))
        elif kind in ("while", "until"):
            top = len(self.code)
            self.body(node[1])
            out = self.emit(("jf" if kind == "while" else "jt", -1))
            self.loops.append(("while", top, []))
            self.body(node[2])
            self.emit(("j", top))
            _, _, breaks = self.loops.pop()
            end = len(self.code)
            self.patch(out, end)
            for at in breaks:
                self.patch(at, end)
            self.emit(("status0",))
        elif kind == "for":
            self.emit(("forinit", node[2]))
            top = self.emit(("fornext", node[1], -1))
            self.loops.append(("for", top, []))
            self.body(node[3])
            self.emit(("j", top))
            _, _, breaks = self.loops.pop()
            self.patch(top, len(self.code))
            for at in breaks:
                self.patch(at, len(self.code))
        else:  # pragma: no cover - the parser makes no other nodes
            raise ShellSyntaxError(f"unsupported construct {kind}")

    def loop_jump(self, name: str, words: list) -> None:
        count = 1
        if len(words) > 1:
            text = word_text(words[1]) or ""
            count = int(text) if text.isdigit() and int(text) > 0 else 1
        count = min(count, len(self.loops))
        # Leaving `for` loops drops their item lists from the state.
        for i in range(count - (1 if name == "continue" else 0)):
            if self.loops[-1 - i][0] == "for":
                self.emit(("forpop",))
        target = self.loops[-count]
        if name == "continue":
            self.emit(("j", target[1]))
        else:
            target[2].append(self.emit(("j", -1)))


def compile_nodes(nodes: list) -> tuple:
    """Returns the flat code for parsed nodes."""
    comp = _Compiler()
    comp.body(nodes)
    return tuple(comp.code)


@functools.lru_cache(maxsize=2048)
def compile_script(script: str) -> tuple:
    """Returns the compiled code of a script; raises ShellSyntaxError. Cached: code is a pure function of text."""
    parser = _Parser(tokenize(script))
    nodes = parser.list_until()
    if parser.peek() is not None:
        raise ShellSyntaxError(f"syntax error: unexpected {_quoted(_tok_text(parser.peek()))}")
    return compile_nodes(nodes)


@functools.lru_cache(maxsize=2048)
def literal_command(argv: tuple) -> tuple:
    """Returns code running argv as one command with no shell processing (`command: ["sleep", "3600"]`).
    Cached like compile_script: code is never mutated, and every container start of an image asks again."""
    return (("run", {"assign": [], "words": [[("lit", w)] for w in argv], "redir": []}),)
