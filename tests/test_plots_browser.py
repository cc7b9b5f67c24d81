"""Reports as a planner sees them: a real headless browser (Chromium) opens each report at
1280 px and nothing runs off the page sideways.

Chromium comes from the Debian package ``chromium`` (``.ci/run`` installs it where it can);
without it these tests skip and say why.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from builders import deep_update, multichannel_data
from click.testing import CliRunner

from sim.cli import main

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER = next((path for name in BROWSERS if (path := shutil.which(name))), None)
pytestmark = [
    pytest.mark.slow,  # about a minute: three runs with plots, four browser starts
    pytest.mark.skipif(
        BROWSER is None,
        reason="no headless Chromium on this machine (install the Debian package 'chromium')",
    ),
]
WIDTH = 1280
MEASURE = """<script>
const page = document.documentElement.scrollWidth;
let right = 0;
for (const e of document.querySelectorAll('main *')) {
  right = Math.max(right, e.getBoundingClientRect().right);
}
document.body.setAttribute('data-measure', page + ' ' + window.innerWidth + ' ' + Math.ceil(right));
</script>"""


def measure(report: Path, tmp_path: Path) -> tuple[int, int, int]:
    """(page scroll width, viewport width, rightmost edge of any element) at 1280 px."""
    page = tmp_path / f"measured-{report.parent.name}.html"
    page.write_text(
        report.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"),
        encoding="utf-8",
    )
    assert BROWSER is not None
    done = subprocess.run(
        [
            BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--window-size={WIDTH},900",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = re.search(r'data-measure="(\d+) (\d+) (\d+)"', done.stdout)
    assert found, f"the browser did not render the page: {done.stderr[-500:]}"
    page_width, viewport, right = (int(v) for v in found.groups())
    return page_width, viewport, right


def _invoke(*args: str) -> None:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output


def _scenario(folder: Path, name: str, **changes: object) -> str:
    data = deep_update(
        multichannel_data(),
        {"name": name, "run": {"horizon": "1d", "warmup": "2h", "replications": 2}, **changes},
    )
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A run, a wide sweep (two parameters, every channel) and a three-way comparison with
    long scenario names: the widest tables the reports make."""
    folder = tmp_path_factory.mktemp("reports")
    base = _scenario(folder, "a_rather_long_baseline_scenario_name")
    other = _scenario(
        folder, "dedicated_social_team_with_longer_name", policy={"social_mode": "deflect"}
    )
    third = _scenario(
        folder, "social_priority_everywhere", policy={"priority": ["social", "phone", "email"]}
    )
    _invoke("run", base, "-o", str(folder / "run"), "--workers", "1")
    _invoke(
        "sweep",
        base,
        "-o",
        str(folder / "sweep"),
        "--workers",
        "1",
        "--vary",
        "pools.digital.agents=5,6",
        "--vary",
        "policy.priority=[phone,social,email],[social,phone,email]",
    )
    _invoke("compare", base, other, third, "-o", str(folder / "compare"), "--workers", "1")
    return {name: folder / name / "report.html" for name in ("run", "sweep", "compare")}


@pytest.mark.parametrize("kind", ["run", "sweep", "compare"])
def test_report_fits_a_1280_px_page(kind: str, reports: dict[str, Path], tmp_path: Path) -> None:
    page_width, viewport, right = measure(reports[kind], tmp_path)
    assert viewport == WIDTH
    assert page_width <= WIDTH, f"{kind} report is {page_width} px wide"
    assert right <= WIDTH, f"an element of the {kind} report reaches {right} px"


def test_the_measurement_sees_an_overflow(tmp_path: Path) -> None:
    """The check itself: a page with a 2,000 px table is caught."""
    report = tmp_path / "wide" / "report.html"
    report.parent.mkdir()
    cells = "".join(f"<td>{'9' * 30}</td>" for _ in range(12))
    report.write_text(
        f"<!DOCTYPE html><html><body><main><table><tr>{cells}</tr></table></main></body></html>",
        encoding="utf-8",
    )
    page_width, _, right = measure(report, tmp_path)
    assert page_width > WIDTH and right > WIDTH
