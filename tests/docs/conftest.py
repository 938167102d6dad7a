"""
The documentation tests' report: how many blocks ran, how many are marked.
"""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter) -> None:
    """List, per Markdown file, the blocks run and the blocks marked."""
    # A file whose test failed shows its counts too: the failure says
    # which block stopped it.
    from test_doc_snippets import TALLY  # noqa: PLC0415 -- loaded by pytest

    if not TALLY:
        return
    terminalreporter.section("documentation blocks")
    for name, (ran, marked) in sorted(TALLY.items()):
        terminalreporter.write_line(
            f"{name}: {ran} runnable, {marked} marked not-run"
        )
