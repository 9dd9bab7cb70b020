"""The command line as a whole: a bad option is one line (and a hint), libraries' warnings stay hidden."""

import sys
import warnings
from pathlib import Path

import pytest
from stubs import RootStub

from accompanist import harmonizers
from accompanist.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    "argv, message, hint",
    [
        (["bogus"], "argument COMMAND: invalid choice: 'bogus'", "accompanist --help"),
        ([], "the following arguments are required: COMMAND", "accompanist --help"),
        (["harmonize"], "the following arguments are required: IN", "accompanist harmonize --help"),
        (
            ["harmonize", "x.mid", "--no-such-option"],
            "unrecognized arguments: --no-such-option",
            "accompanist --help",  # argparse's top parser finds what no sub-command took
        ),
        (["live", "--channel", "17"], "argument --channel: invalid choice: 17", "accompanist live --help"),
    ],
)
def test_a_bad_option_is_one_line_and_a_hint_and_exit_2(argv, message, hint, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    first, second = capsys.readouterr().err.splitlines()
    assert first.startswith(f"accompanist: error: {message}")
    assert second == f"  see: {hint}"


class WarningStub(RootStub):
    family = "warning-stub"

    def probabilities(self, melody, *, causal=False, seed=None):
        warnings.warn("a library's deprecation notice", UserWarning, stacklevel=1)
        return super().probabilities(melody, causal=causal, seed=seed)


def test_warnings_from_libraries_are_not_shown(tmp_path, capsys, monkeypatch):
    def show(message, *args, **kwargs):
        print(f"warning: {message}", file=sys.stderr)

    harmonizers.register(WarningStub)
    monkeypatch.setattr(warnings, "showwarning", show)  # as Python shows them outside pytest
    argv = [
        "harmonize",
        str(FIXTURES / "type0.mid"),
        "-o",
        str(tmp_path / "o.mid"),
        "--model",
        "warning-stub",
    ]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            assert main(argv) == 0
            warnings.warn("outside the command: shown", UserWarning, stacklevel=1)
    finally:
        harmonizers._extra.pop("warning-stub", None)
    assert capsys.readouterr().err == "warning: outside the command: shown\n"
