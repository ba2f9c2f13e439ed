"""PostgreSQL's driver: psycopg2 compiled from source against the system's libpq in the image
(the psycopg project's advice for production), the psycopg2-binary wheel in development."""

from __future__ import annotations

import re
import tomllib

from tests.deploy.stack import ROOT


def _pyproject() -> dict[str, dict[str, object]]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        data: dict[str, dict[str, object]] = tomllib.load(file)
    return data


def _named(requirements: object, name: str) -> list[str]:
    assert isinstance(requirements, list)
    return [r for r in requirements if re.match(rf"{re.escape(name)}\b(?![-\w])", r)]


def test_the_driver_comes_from_an_extra_binary_for_development_compiled_for_production() -> None:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    core, extras = project["dependencies"], project["optional-dependencies"]
    assert not _named(core, "psycopg2") and not _named(core, "psycopg2-binary")
    (compiled,) = _named(extras["production"], "psycopg2")
    (binary,) = _named(extras["dev"], "psycopg2-binary")
    assert compiled.removeprefix("psycopg2") == binary.removeprefix("psycopg2-binary")  # same bounds
    for name, requirements in extras.items():
        if name != "dev":
            assert not _named(requirements, "psycopg2-binary"), name
    assert "'.[dev,embedded]'" in (ROOT / "Makefile").read_text()


def _stages() -> dict[str, str]:
    """The Dockerfile's stages by name (the last, unnamed one is "runtime")."""
    parts = re.split(r"^FROM ", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)[1:]
    return {(re.search(r" AS (\w+)", part.splitlines()[0]) or ["", "runtime"])[1]: part for part in parts}


def _run_lines(stage: str) -> str:
    """The RUN instructions of a stage, continuation lines joined, comments left out."""
    joined = re.sub(r"\\\n\s*", " ", stage)
    return "\n".join(line for line in joined.splitlines() if line.startswith("RUN "))


def test_the_image_compiles_psycopg2_against_libpq_and_ships_libpq() -> None:
    stages = _stages()
    assert set(stages) == {"build", "runtime"}
    build, runtime = _run_lines(stages["build"]), _run_lines(stages["runtime"])
    installs = re.findall(r"apt-get install [^&]*", build)
    assert any("libpq-dev" in line and "build-essential" in line for line in installs), installs
    assert "pip install --no-binary psycopg2 '.[production]'" in build
    assert "psycopg2-binary" not in build + runtime and "[dev" not in build
    assert re.search(r"apt-get install [^&]*\blibpq5\b", runtime)
    assert "libpq-dev" not in runtime and "build-essential" not in runtime  # no compiler shipped
    assert "COPY --from=build /opt/venv /opt/venv" in stages["runtime"]
