"""The README's results table is the one scripts/readme_results.py generates from experiments/results/:
a benchmark re-run without regenerating the table fails here."""

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(os.environ.get("GLIA_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))


def test_readme_results_table_is_generated_from_result_files():
    p = subprocess.run([sys.executable, str(ROOT / "scripts" / "readme_results.py"), "--check"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    readme = (ROOT / "README.md").read_text()
    assert "bench_fig6.py" in readme  # the table has rows, each naming its command
