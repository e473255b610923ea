"""docs/model.md, the README and CI: generated tables up to date, every name documented, the
README's commands and examples working."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import closeloop as cl
from closeloop import docs, mechanisms
from closeloop.cli import app
from closeloop.docs import recorded
from closeloop.model import healing
from closeloop.model.couple import CoupleState, Day
from closeloop.model.person import Offer, PersonState, Response
from closeloop.params import COUPLE_SPECS, PERSON_SPECS, WORLD_SPECS

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "docs" / "model.md"
README = ROOT / "README.md"
CI = ROOT / ".ci" / "run"

FENCE = re.compile(
    r"(?P<mark><!-- readme-test: (?P<mode>[a-z-]+) -->\n)?```(?P<lang>\w*)\n"
    r"(?P<code>.*?)```",
    re.DOTALL,
)


def _hand_written(text: str) -> str:
    """The document without its generated blocks: what a person wrote."""
    return docs.BLOCK.sub("", text)


def _section(text: str, title: str) -> str:
    """The part of ``text`` under the heading whose title (after its number, if any: "13." or
    "12.13") starts with ``title``, up to the next heading of the same or a higher level. Titles
    are matched without their numbers, so that a new section does not break the lookups."""
    m = re.search(rf"^(#+) (?:\d+(?:\.\d+)*\.? )?{re.escape(title)}.*$", text, re.MULTILINE)
    assert m, f"docs/model.md has no heading starting with {title!r}"
    level = len(m.group(1))
    rest = text[m.end() :]
    nxt = re.search(rf"^#{{1,{level}}} ", rest, re.MULTILINE)
    return rest[: nxt.start()] if nxt else rest


def _blocks(lang: str) -> list[tuple[str | None, str]]:
    text = README.read_text(encoding="utf-8")
    return [
        (m.group("mode"), m.group("code")) for m in FENCE.finditer(text) if m.group("lang") == lang
    ]


def _closeloop_commands() -> list[list[str]]:
    """Every ``closeloop ...`` command line in the README's bash blocks, as argv after the name."""
    out = []
    for _, code in _blocks("bash"):
        for line in code.splitlines():
            words = shlex.split(line, comments=True)
            if words[:2] == ["uv", "run"]:
                words = words[2:]
            if words[:1] == ["closeloop"]:
                out.append(words[1:])
    return out


# --- docs/model.md ---------------------------------------------------------------------------


def test_generated_blocks_are_up_to_date():
    text = MODEL.read_text(encoding="utf-8")
    new, changed = docs.render(text)
    assert not changed, (
        f"docs/model.md is stale in {changed}: run `uv run python -m closeloop.docs`"
    )
    assert new == text
    assert docs.main(["--check", "--path", str(MODEL)]) == 0


def test_check_flags_a_stale_block_and_rewrite_fixes_it(tmp_path: Path):
    doc = tmp_path / "model.md"
    text = MODEL.read_text(encoding="utf-8")
    stale = text.replace(
        "<!-- BEGIN GENERATED: mechanisms -->\n",
        "<!-- BEGIN GENERATED: mechanisms -->\n| edited by hand |\n",
        1,
    )
    assert stale != text
    doc.write_text(stale, encoding="utf-8")
    assert docs.main(["--check", "--path", str(doc)]) == 1
    assert doc.read_text(encoding="utf-8") == stale, "--check must not write"
    assert docs.main(["--path", str(doc)]) == 0
    assert docs.main(["--check", "--path", str(doc)]) == 0
    _, changed = docs.render(doc.read_text(encoding="utf-8"))
    assert changed == []


def test_missing_or_unknown_marker_is_an_error(tmp_path: Path):
    doc = tmp_path / "model.md"
    text = MODEL.read_text(encoding="utf-8")
    doc.write_text(text.replace("<!-- END GENERATED: styles -->", ""), encoding="utf-8")
    assert docs.main(["--check", "--path", str(doc)]) == 2
    doc.write_text(
        text + "\n<!-- BEGIN GENERATED: nope -->\n<!-- END GENERATED: nope -->\n", encoding="utf-8"
    )
    assert docs.main(["--check", "--path", str(doc)]) == 2
    assert docs.main(["--check", "--path", str(tmp_path / "absent.md")]) == 2


def test_claims_block_is_left_alone_when_claims_do_not_import(monkeypatch):
    text = MODEL.read_text(encoding="utf-8")
    monkeypatch.setattr(recorded, "_claims", lambda: None)
    new, changed = docs.render(text)
    assert "claims" not in changed
    assert new == text


def test_tables_escape_pipes_and_fold_lines():
    assert docs.table(["a"], [["x|y\nz"]]).splitlines()[-1] == "| x\\|y z |"


@pytest.mark.parametrize("name", [s.name for s in PERSON_SPECS + WORLD_SPECS + COUPLE_SPECS])
def test_every_parameter_is_in_the_equations(name: str):
    prose = _hand_written(MODEL.read_text(encoding="utf-8"))
    # The couple's equations write parameters by their code names: \text{bid\_rate}.
    in_equation = "\\text{" + name.replace("_", "\\_") + "}"
    assert f"`{name}`" in prose or in_equation in prose, (
        f"parameter {name} is not named outside the generated tables"
    )


@pytest.mark.parametrize("name", mechanisms.NAMES)
def test_every_mechanism_is_in_the_equations(name: str):
    text = MODEL.read_text(encoding="utf-8")
    prose = _hand_written(text)
    gate = "\\mathbb{1}_{\\text{" + name.replace("_", "\\_") + "}}"
    assert f"`{name}`" in prose or gate in prose, f"mechanism {name} is not in the equations"
    assert f"| `{name}` |" in text, f"mechanism {name} is not in the generated table"


@pytest.mark.parametrize("name", PersonState._fields)
def test_every_state_variable_is_documented(name: str):
    prose = _hand_written(MODEL.read_text(encoding="utf-8"))
    assert re.search(rf"^\| `{name}` \|", prose, re.MULTILINE), f"state variable {name}"


@pytest.mark.parametrize("name", CoupleState._fields)
def test_every_couple_state_variable_is_documented(name: str):
    table = _section(_hand_written(MODEL.read_text(encoding="utf-8")), "Couple state")
    assert re.search(rf"^\| `{name}` \|", table, re.MULTILINE), f"couple state variable {name}"


@pytest.mark.parametrize("name", Day._fields)
def test_every_field_of_the_day_record_is_documented(name: str):
    table = _section(_hand_written(MODEL.read_text(encoding="utf-8")), "The day's record")
    assert re.search(rf"^\| `{name}` \|", table, re.MULTILINE), f"Day field {name}"


@pytest.fixture(scope="module")
def couple_daily(days: int):
    """A few couples with every day kept (a couple Dataset has its own variables and dims)."""
    sc = cl.Scenario(kind="couple", a="avoidant", b="anxious", days=days)
    return cl.simulate(sc, n=4, seed=3, daily=True)


@pytest.mark.parametrize("dataset", ["ds_daily", "couple_daily"])
def test_every_output_variable_is_documented(dataset: str, request: pytest.FixtureRequest):
    ds = request.getfixturevalue(dataset)
    section = _section(_hand_written(MODEL.read_text(encoding="utf-8")), "What `simulate()`")
    for name in list(ds.data_vars) + list(ds.dims):
        assert f"`{name}`" in section, (
            f"simulate() output {name} ({dataset}) is not described in docs/model.md, section "
            "'What simulate() returns'"
        )


def test_sections_are_numbered_in_order_and_listed_in_the_contents():
    text = MODEL.read_text(encoding="utf-8")
    numbers = [int(n) for n in re.findall(r"^## (\d+)\. ", text, re.MULTILINE)]
    assert numbers == list(range(1, len(numbers) + 1)), numbers
    contents = _section(text, "Contents")
    for n, title in re.findall(r"^## (\d+)\. (.+)$", text, re.MULTILINE):
        assert f"{n}. [{title}]" in contents, f"section {n} ({title}) is not in the contents"


# --- docs/model.md: change (interventions) ---------------------------------------------------


def _change() -> str:
    return _section(_hand_written(MODEL.read_text(encoding="utf-8")), "Change")


@pytest.mark.parametrize("kind", healing.KINDS)
def test_every_intervention_kind_is_documented(kind: str):
    text = MODEL.read_text(encoding="utf-8")
    assert f"| `{kind}` |" in text, f"intervention {kind} is not in the generated table"
    assert f"`{kind}`" in _change(), f"intervention {kind} is not described in section 'Change'"


@pytest.mark.parametrize("name", healing.LEVELS)
def test_every_intervention_component_is_in_the_equations(name: str):
    assert f"`{name}`" in _change(), f"component {name} is not described in section 'Change'"


@pytest.mark.parametrize("name", sorted(set(Offer._field_defaults) | set(Response._field_defaults)))
def test_fields_added_for_change_are_documented(name: str):
    """The offer's and the response's fields with defaults are those change added (commitment,
    stress, distress, overwhelm): each is in the table of new outputs and records."""
    assert f"`{name}`" in _section(_change(), "New outputs"), f"{name} is not in the table"


def test_interventions_table_lists_where_each_kind_is_allowed():
    block = docs.interventions_table()
    for kind in healing.KINDS:
        row = next(line for line in block.splitlines() if line.startswith(f"| `{kind}` |"))
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        assert cells[2] == ("yes" if kind in healing.PERSON_KINDS else "no"), row
        assert cells[3] == ("yes" if kind in healing.COUPLE_KINDS else "no"), row


# --- README ---------------------------------------------------------------------------------


def test_readme_quickstart():
    text = README.read_text(encoding="utf-8")
    for cmd in ("pip install uv", "uv run closeloop demo", "uv run pytest"):
        assert cmd in text
    assert "988" in text and "not a diagnosis" in text


def test_readme_commands_exist_and_parse():
    """Every closeloop command of the README is a real command and its options exist.

    ``--help`` is eager: appended, it stops before the command runs but after click has checked
    that every option named on the line exists.
    """
    commands = _closeloop_commands()
    assert {c[0] for c in commands} >= {"demo", "run", "scenarios", "claims"}
    runner = CliRunner()
    for argv in commands:
        res = runner.invoke(app, [*argv, "--help"])
        assert res.exit_code == 0, f"closeloop {' '.join(argv)}: {res.output}"


def test_readme_scenarios_command_runs():
    assert ["scenarios"] in _closeloop_commands()
    res = CliRunner().invoke(app, ["scenarios"])
    assert res.exit_code == 0, res.output
    for name in cl.scenarios():
        assert name in res.output


def _api_names(code: str) -> list[str]:
    return sorted(set(re.findall(r"\bcl\.([A-Za-z_]\w*)", code)))


def _require_api(code: str) -> None:
    missing = [n for n in _api_names(code) if not hasattr(cl, n)]
    if missing:
        pytest.skip(
            "README uses closeloop."
            + ", closeloop.".join(missing)
            + ", not exported by closeloop/__init__.py yet"
        )


@pytest.mark.parametrize("index", range(len(_blocks("python"))))
def test_readme_python_examples(index: int, tmp_path: Path, monkeypatch):
    mode, code = _blocks("python")[index]
    compiled = compile(code, f"README.md python block {index + 1}", "exec")
    _require_api(code)
    if mode == "compile-only":
        return
    monkeypatch.chdir(tmp_path)
    exec(compiled, {"__name__": "__readme__"})


# --- CI -------------------------------------------------------------------------------------


def test_ci_script_is_executable_valid_bash_and_runs_every_check():
    assert os.access(CI, os.X_OK), ".ci/run must be executable"
    subprocess.run(["bash", "-n", str(CI)], check=True)
    text = CI.read_text(encoding="utf-8")
    assert "set -euo pipefail" in text
    for cmd in (
        "uv sync --locked",
        "uv run ruff check",
        "uv run ruff format --check",
        "uv run mypy",
        "uv run python -m closeloop.docs --check",
        "uv run pytest",
        "uv run closeloop claims --quick",
    ):
        assert cmd in text, f".ci/run does not run {cmd!r}"


@pytest.mark.slow
def test_rendering_the_docs_loads_no_observation_model() -> None:
    # The docs generator is a development tool: it renders from declarations and recorded files,
    # never from the observation model's internals.
    code = (
        "import sys, closeloop.docs as d; d.render(d.MODEL_MD.read_text(encoding='utf-8')); "
        "print(sorted(m for m in sys.modules if m.startswith('closeloop.observation')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_markdown_has_no_control_characters() -> None:
    # A LaTeX command written through a non-raw Python string turns "\text" into a tab and
    # "\frac" into a form feed; the page then renders broken equations.
    bad = re.compile(r"[\x00-\x08\x0b-\x1f\t]")
    for path in sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")]):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not bad.search(line), f"{path.name}:{n}: control character in {line[:60]!r}"
