"""Command-line parsing shared by kubectl, docker and sim: flags with values, `--flag=value`, `-oyaml`, `--`."""

from __future__ import annotations


class CommandError(Exception):
    """A command the CLI refuses; `str()` is the text printed, `error` the structured form (YAML line/column)."""

    def __init__(self, message: str, error: dict | None = None):
        super().__init__(message)
        self.error = error or {"message": message}


class PartialFailure(CommandError):
    """A command that failed after some of its writes were made, which stay as they would on a real cluster.

    kubectl runs one request after another and never undoes the ones that succeeded: `kubectl drain` cordons
    the node first and leaves it cordoned when an eviction is refused (kubectl pkg/drain `RunCordonOrUncordon`
    then `DeletePodsOnNodes`). The console therefore keeps the state instead of rolling back to the checkpoint.
    """


class Args:
    """Positional words and flags (each flag keeps every value given, in order)."""

    def __init__(self, positional: list[str], flags: dict[str, list[str]], rest: list[str]):
        self.positional = positional
        self.flags = flags
        self.rest = rest  # words after `--`

    def has(self, *names: str) -> bool:
        """Returns True when any of the flag names was given."""
        return any(n in self.flags for n in names)

    def get(self, *names: str, default: str | None = None) -> str | None:
        """Returns the last value of the first flag present among names."""
        for n in names:
            if n in self.flags and self.flags[n]:
                return self.flags[n][-1]
        return default

    def all(self, *names: str) -> list[str]:
        """Returns every value given for the flag names."""
        out = []
        for n in names:
            out.extend(self.flags.get(n, []))
        return out

    def int(self, *names: str, default: int | None = None, minimum: int | None = None) -> int | None:
        """Returns an integer flag value; raises CommandError when it is not an integer."""
        value = self.get(*names)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise CommandError(
                f'error: invalid argument "{value}" for "{names[0]}" flag: strconv.ParseInt: '
                f'parsing "{value}": invalid syntax'
            ) from None
        if minimum is not None and number < minimum:
            raise CommandError(f"error: {names[0]} must be at least {minimum}, got {number}")
        return number


def parse(words: list[str], value_flags: set[str], bool_flags: set[str] = frozenset()) -> Args:
    """Returns Args; raises CommandError for an unknown flag or a value flag without a value."""
    positional: list[str] = []
    flags: dict[str, list[str]] = {}
    rest: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w == "--":
            rest = words[i + 1 :]
            break
        if w.startswith("--") and len(w) > 2:
            name, eq, value = w.partition("=")
            if name in value_flags:
                if not eq:
                    if i + 1 >= len(words):
                        raise CommandError(f"error: flag needs an argument: {name}")
                    i += 1
                    value = words[i]
                flags.setdefault(name, []).append(value)
            elif name in bool_flags:
                flags.setdefault(name, []).append(value if eq else "true")
            else:
                raise CommandError(f"error: unknown flag: {name}")
        elif w.startswith("-") and len(w) > 1 and not w[1:].isdigit():
            name = w[:2]
            attached = w[2:]
            if name in value_flags:
                if attached.startswith("="):
                    attached = attached[1:]
                if not attached:
                    if i + 1 >= len(words):
                        raise CommandError(f"error: flag needs an argument: '{name[1]}' in {name}")
                    i += 1
                    attached = words[i]
                flags.setdefault(name, []).append(attached)
            elif name in bool_flags:
                flags.setdefault(name, []).append("true")
                for extra in attached:  # combined short flags like -it
                    if f"-{extra}" in bool_flags:
                        flags.setdefault(f"-{extra}", []).append("true")
                    else:
                        raise CommandError(f"error: unknown shorthand flag: '{extra}' in {w}")
            else:
                raise CommandError(f"error: unknown shorthand flag: '{w[1]}' in {w}")
        else:
            positional.append(w)
        i += 1
    return Args(positional, flags, rest)


# kubectl's global flags that may stand before the subcommand (`kubectl -n monitoring get pods`); each takes a
# value. Only the namespace flags change anything here: the console talks to one simulated cluster.
GLOBAL_VALUE_FLAGS = (
    "-n",
    "--namespace",
    "--context",
    "--cluster",
    "--user",
    "--kubeconfig",
    "-s",
    "--server",
)
SHELL_OPERATORS = ("|", "||", "&&", ";", ">", ">>", "<", "2>", "2>&1", "&")


def split_global_flags(words: list[str]) -> tuple[list[str], list[str]]:
    """Returns (global flag words, the rest starting at the subcommand) for `kubectl [GLOBAL FLAGS] VERB …`.

    Raises CommandError for a global flag without its value (`error: flag needs an argument: --namespace`).
    """
    globals_: list[str] = []
    i = 0
    while i < len(words) and words[i].startswith("-") and words[i] not in ("-h", "--help"):
        w = words[i]
        name = w.split("=", 1)[0] if w.startswith("--") else w[:2]
        if name not in GLOBAL_VALUE_FLAGS:
            break
        attached = w.startswith("--") and "=" in w or (not w.startswith("--") and len(w) > 2)
        if attached:
            globals_.append(w)
            i += 1
            continue
        if i + 1 >= len(words):
            short = f"'{name[1]}' in {name}" if not name.startswith("--") else name
            raise CommandError(f"error: flag needs an argument: {short}")
        globals_ += [w, words[i + 1]]
        i += 2
    return globals_, words[i:]


def refuse_shell_syntax(words: list[str]) -> None:
    """Raises CommandError when a console line uses shell operators (`kubectl get pods | grep web`).

    The web console runs one program per line, not a shell; the message names kubectl's own filters. After
    `exec … --` the rest of the line runs in the container's `sh -c` (pipes, `;`, `$VAR` expand there, and
    print what `kubectl exec … -- env | grep X` prints in a terminal), so only the part before `--` is checked.
    """
    if "--" in words and "exec" in words[: words.index("--")]:
        words = words[: words.index("--")]
    for w in words:
        if w.startswith("<<"):
            # A here-document (`kubectl apply -f - <<EOF … EOF`, as kubernetes.io pages write it) is the shell
            # feeding standard input; the console's YAML tab is this console's standard input.
            raise CommandError(
                f"error: this console runs one command per line and is not a shell, so the here-document "
                f'"{w} …" cannot feed kubectl its standard input.\n'
                "Open the YAML tab, paste the manifest (the lines between <<EOF and EOF) and press Apply: "
                "it runs `kubectl apply -f -` with that text as standard input"
            )
    for i, w in enumerate(words):
        if w in SHELL_OPERATORS or (w.startswith("|") and len(w) > 1):
            tail = " ".join(words[i:])
            raise CommandError(
                f'error: this console runs one command per line and is not a shell, so "{tail}" cannot run.\n'
                "Let kubectl filter instead: -l app=web (label selector), --field-selector status.phase=Running, "
                "-o jsonpath='{.items[*].metadata.name}' or -o custom-columns=NAME:.metadata.name"
            )
