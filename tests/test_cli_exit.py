"""The command ends without the interpreter's teardown (report.cli.commands.main): what a
normal exit would do must still happen: every byte of output, the exit code, exit handlers."""
import subprocess
import sys

from report.blocks.ledger import results
from report.inputs.trial import load_trial
from report.kinds.common import ard_csv


def run(*args: str, code: str | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "report", *args]
    return subprocess.run(command, capture_output=True, timeout=300)


def test_every_byte_of_a_piped_ledger_arrives():
    ledger = results(load_trial(None))
    done = run("analyze", "--ard")
    assert done.returncode == 0
    assert done.stdout == ard_csv(ledger.to_dict())
    assert len(done.stdout) > 65536  # more than one pipe buffer: the flush at exit matters


def test_bad_input_still_exits_2_with_its_message(tmp_path):
    done = run("analyze", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert b"no trial spec here" in done.stderr


def test_exit_handlers_run_and_the_code_is_kept():
    code = (
        "import atexit, sys\n"
        "from report.cli.commands import _exit_now\n"
        "atexit.register(lambda: print('handler ran'))\n"
        "sys.stdout.write('x' * 100000)\n"
        "_exit_now(3)\n"
    )
    done = run(code=code)
    assert done.returncode == 3
    assert done.stdout == b"x" * 100000 + b"handler ran\n"


def test_a_message_as_exit_code_is_printed_and_exits_1():
    done = run(code="from report.cli.commands import _exit_now\n_exit_now('stopped: reason')\n")
    assert done.returncode == 1
    assert done.stderr.strip() == b"stopped: reason"


def test_the_installed_command_ends_the_same_way():
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="trialreport")
    assert script.value == "report.cli:run"
