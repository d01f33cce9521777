"""The sh subset: parsing, expansion, control flow, redirections, utilities, and simulated time."""

import datetime

import pytest

from visualizer.engine.programs.container import exec_command, machine_for, start_process, step_process
from visualizer.engine.programs.expansion import expand
from visualizer.engine.programs.interpreter import STEP_BUDGET
from visualizer.engine.programs.machine import LOG_BYTES, LOG_LINES
from visualizer.engine.programs.syntax import ShellSyntaxError, compile_script


def _ctr(**env):
    return {"logs": [], "env": {"HOME": "/root", **env}, "fs": {}}


def _machine(ctr, now=0.0, collect=False):
    return machine_for(
        None, ctr, pod=None, cname="c", sb=None, ref=None, hostname="box", now=now, collect=collect
    )


def sh(script, ctr=None, now=0.0):
    """Returns (output, status) of `sh -c script` run to its end."""
    ctr = ctr or _ctr()
    return exec_command(_machine(ctr, now, collect=True), ["sh", "-c", script])


def test_echo_expands_variables_in_double_quotes_but_not_single():
    """$VAR and ${VAR} expand in double quotes and bare words; single quotes keep them literally."""
    out, code = sh("""X=world; echo "hello $X" ${X}s '$X' \\$X""")
    assert (out, code) == ("hello world worlds $X $X\n", 0)


def test_unquoted_expansion_is_field_split_and_quoted_is_not():
    """for x in $L iterates words; "$L" is one word."""
    out, _ = sh('L="a b  c"; for x in $L; do echo "[$x]"; done; for x in "$L"; do echo "[$x]"; done')
    assert out == "[a]\n[b]\n[c]\n[a b  c]\n"


def test_and_or_lists_and_exit_status():
    """&& runs on success, || on failure; $? is the last status; `exit N` ends the shell with N."""
    out, code = sh("false && echo no; false || echo yes; true; echo $?; false; echo $?; exit 7; echo never")
    assert (out, code) == ("yes\n0\n1\n", 7)


def test_if_elif_else_and_test_brackets():
    """if/elif/else with [ ] numeric and string tests and -e/-f/-d/-z/-n."""
    script = (
        "n=5; if [ $n -gt 10 ]; then echo big; elif [ $n -eq 5 ]; then echo five; else echo small; fi; "
        "touch /tmp/f; [ -f /tmp/f ] && echo file; [ -d /tmp ] && echo dir; [ -e /nope ] || echo missing; "
        '[ -z "" ] && echo empty; [ -n "x" ] && echo nonempty; [ a = a ] && echo same; [ a != b ] && echo diff'
    )
    assert sh(script)[0] == "five\nfile\ndir\nmissing\nempty\nnonempty\nsame\ndiff\n"


def test_while_until_break_continue_and_arithmetic():
    """while/until loops with $((…)) arithmetic, break and continue."""
    out, _ = sh(
        "i=0; while true; do i=$((i+1)); [ $i -eq 2 ] && continue; [ $i -gt 4 ] && break; echo $i; done; "
        "j=3; until [ $j -eq 0 ]; do echo j$j; j=$((j-1)); done"
    )
    assert out == "1\n3\n4\nj3\nj2\nj1\n"


def test_command_substitution_and_backquotes():
    """$(…) and `…` capture output without the trailing newline."""
    assert sh('echo "[$(echo hi)]" `echo there`')[0] == "[hi] there\n"


def test_redirections_write_append_and_merge_stderr():
    """> truncates, >> appends, 2>&1 sends errors to the same place, 2>/dev/null drops them."""
    ctr = _ctr()
    out, _ = sh(
        "echo one > /tmp/a; echo two >> /tmp/a; cat /tmp/a; cat /nope 2>/dev/null; cat /nope > /tmp/e 2>&1",
        ctr,
    )
    assert out == "one\ntwo\n"
    assert ctr["fs"]["/tmp/a"] == "one\ntwo\n"
    assert ctr["fs"]["/tmp/e"] == "cat: can't open '/nope': No such file or directory\n"


def test_pipes_with_grep_head_wc():
    """a | b | c passes output along; grep -c, head -n, wc -l behave as busybox's."""
    out, _ = sh("printf 'a1\\nb2\\na3\\n' | grep a | head -n 1; printf 'x\\ny\\n' | wc -l; seq 5 | grep -c .")
    assert out == "a1\n2\n5\n"


def test_files_directories_and_errors_use_busybox_words():
    """mkdir -p, ls, rm -rf; missing files give busybox's messages and status 1."""
    ctr = _ctr()
    out, code = sh(
        "mkdir -p /data/x/y; touch /data/x/y/f; ls /data/x; ls /data/x/y; rm /data/x 2>&1; rm -rf /data/x; ls /data",
        ctr,
    )
    assert out == "y\nf\nrm: can't remove '/data/x': Is a directory\n"
    out, code = sh("rm /nope")
    assert (out, code) == ("rm: can't remove '/nope': No such file or directory\n", 1)
    assert sh("rm -f /nope") == ("", 0)


def test_unknown_command_is_not_found_127():
    """An unknown command: `sh: frob: not found`, status 127."""
    assert sh("frob; echo $?") == ("sh: frob: not found\n127\n", 0)


def test_syntax_errors_are_refused_with_sh_words():
    """Unbalanced quotes and a missing `done` are syntax errors (status 2)."""
    with pytest.raises(ShellSyntaxError, match="unterminated quoted string"):
        compile_script("echo 'oops")
    with pytest.raises(ShellSyntaxError, match='expecting "done"'):
        compile_script("while true; do echo x")
    assert sh("if true; then")[1] == 2


def test_env_printenv_export_and_parameter_defaults():
    """env lists the container env; export adds to it; ${X:-default} and ${#X} work."""
    ctr = _ctr(GREETING="hi")
    out, _ = sh("export A=1; printenv GREETING A; echo ${MISSING:-dflt} ${#GREETING}", ctr)
    assert out == "hi\n1\ndflt 2\n"


def test_sleep_takes_simulated_time_and_the_program_resumes():
    """The process sleeps in simulated time: nothing after `sleep 30` runs before 30 s; date follows the clock."""
    ctr = _ctr()
    outcome = start_process(
        _machine(ctr), ctr, ["sh", "-c", "echo start; sleep 30; date +%s; touch /tmp/done"], 0.0
    )
    assert outcome == {"wake": 30.0} and ctr["logs"] == ["start"]
    assert step_process(_machine(ctr, 29), ctr, 29.0) == {"wake": 30.0}
    outcome = step_process(_machine(ctr, 30), ctr, 30.0)
    assert outcome["exit"] == 0 and outcome["reason"] == "Completed"
    epoch = int(datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC).timestamp())
    assert ctr["logs"][1] == str(epoch + 30) and "/tmp/done" in ctr["fs"]


def test_busy_loops_cannot_hang_the_engine_and_logs_are_capped():
    """`while true; do echo …; done` runs a budget of commands per simulated second; logs keep only a tail."""
    ctr = _ctr()
    outcome = start_process(_machine(ctr), ctr, ["sh", "-c", "while true; do echo spam; done"], 0.0)
    assert outcome["wake"] == 1.0
    assert 0 < len(ctr["logs"]) <= STEP_BUDGET
    for t in range(1, 40):
        step_process(_machine(ctr, t), ctr, float(t))
    assert len(ctr["logs"]) <= LOG_LINES and sum(len(x) + 1 for x in ctr["logs"]) <= LOG_BYTES + 100
    out, code = sh("while true; do :; done")
    assert code == 137 and "did not finish" in out


def test_sleep_infinity_and_tail_f_serve_forever():
    """`sleep infinity` and `tail -f /dev/null` never wake the kubelet again."""
    for script in ("sleep infinity", "tail -f /dev/null"):
        ctr = _ctr()
        assert start_process(_machine(ctr), ctr, ["sh", "-c", script], 0.0) == {"wake": None}
        assert ctr["proc"]["state"] == "serve"


def test_kubernetes_var_expansion_is_not_the_shell_one():
    """$(VAR) expands, unknown stays literal, $$ escapes, $VAR is untouched [expansion/expand.go]."""
    env = {"A": "x", "B": "y"}
    assert expand("$(A)-$(B)", env) == "x-y"
    assert expand("$(NOPE)", env) == "$(NOPE)"
    assert expand("$$(A) $$ $A ${A}", env) == "$(A) $ $A ${A}"
    assert expand("$(cat /x)", env) == "$(cat /x)"
