"""Updates per second of this tree against an older commit, measured in the same session.

Runs ``benchmarks/updates.py`` alternately on a worktree of ``--base`` (default: 5ef4096, the
tree before the restructuring of issue 9) and on this checkout, one round each, ``--pairs``
times, so both see the same machine load; each round also measures the bare echo bot. Prints
each pair and the medians of: this tree's bot against the base's, and the same normalised by
the echo bot of each run (``(bot / echo) now ÷ (bot / echo) base``). Exits 1 below ``--target``.

    .venv/bin/python benchmarks/compare.py [--base REV] [--pairs 5] [--target 1.8]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RATE = re.compile(r"^\s*(bot|echo): .* = ([\d,]+) updates/s", re.MULTILINE)


def one_run(tree: Path, updates: int) -> dict[str, float]:
    """One round of updates.py on ``tree``: {"bot": updates/s, "echo": updates/s}."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "updates.py"), "--updates", str(updates)],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        check=False,
    )
    rates = {name: float(value.replace(",", "")) for name, value in RATE.findall(result.stdout)}
    if result.returncode != 0 or set(rates) != {"bot", "echo"}:
        raise SystemExit(f"benchmark failed on {tree}:\n{result.stdout}\n{result.stderr}")
    return rates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--base", default="5ef4096", help="the commit to compare with")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--target", type=float, default=1.8)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cppbot-base-") as scratch:
        base = Path(scratch) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.base],
            check=True,
            capture_output=True,
        )
        try:
            speedups, normalised = [], []
            for pair in range(1, args.pairs + 1):
                old = one_run(base, args.updates)
                new = one_run(ROOT, args.updates)
                speedups.append(new["bot"] / old["bot"])
                normalised.append((new["bot"] / new["echo"]) / (old["bot"] / old["echo"]))
                print(
                    f"pair {pair}: base bot {old['bot']:,.0f} echo {old['echo']:,.0f} | now bot"
                    f" {new['bot']:,.0f} echo {new['echo']:,.0f} | {speedups[-1]:.2f}x,"
                    f" against echo {normalised[-1]:.2f}x",
                    flush=True,
                )
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                check=False,
                capture_output=True,
            )
    speedup, against_echo = statistics.median(speedups), statistics.median(normalised)
    print(
        f"median of {args.pairs} pairs against {args.base}: {speedup:.2f}x updates/s,"
        f" {against_echo:.2f}x against the echo bot of each run (target >= {args.target}x)"
    )
    return 0 if min(speedup, against_echo) >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
