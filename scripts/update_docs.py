"""Rewrite the generated parts of the docs from the code: the README's op table (from the op registry).

Run ``python -m scripts.update_docs`` after adding or changing an op; a test fails while it is stale.
"""

from __future__ import annotations

import pathlib
import sys

from autograd import methods

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def main():
    """Put the current op table between the README's markers; exit 1 if the markers are missing."""
    text = README.read_text()
    start, end = methods.OP_TABLE_START, methods.OP_TABLE_END
    if start not in text or end not in text:
        print(f"update_docs: README.md lacks the markers {start!r} ... {end!r}", file=sys.stderr)
        return 1
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    README.write_text(f"{head}{start}\n{methods.op_table_markdown()}{end}{tail}")
    print(f"update_docs: wrote the op table into {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
