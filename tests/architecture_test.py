"""The one-way data flow, enforced: each stage imports only from earlier stages and the shared
vocabulary (docs/ARCHITECTURE.md). grimp reads the imports of the ``linter`` package (imports
inside functions and under ``TYPE_CHECKING`` included); a module that imports from a later stage,
or two independent packages of one layer that import each other, fail the test with the chain."""

from __future__ import annotations

import grimp
import pytest

# from the top (may import everything below) to the bottom (imports nothing of the package)
LAYERS: tuple[grimp.Layer, ...] = (
    grimp.Layer("cli"),                              # the command line
    grimp.Layer("lsp", "testing", "diff", "progress"),  # language server; fixture harness;
                                                     # two revisions; progress
    grimp.Layer("pipeline"),                         # discover → … → report, in order
    grimp.Layer("report", "fixes"),                  # render(ScanResult); findings → edits
    grimp.Layer("engine"),                           # rules: load, evaluate, suppress, baseline
    grimp.Layer("checks"),                           # every predicate a rule may name
    grimp.Layer("graph"),                            # build, derive once, policies per principal
    grimp.Layer("frontends", "iam", "secrets"),      # parse + evaluate; pure IAM / secret rules
    grimp.Layer("discover"),                         # which files, read safely
    grimp.Layer("config"),                           # the configuration file → ScanOptions
    grimp.Layer("result"),                           # shared vocabulary, itself layered:
    grimp.Layer("rule"),
    grimp.Layer("fingerprint", "json_positions", "options", "errors", "workers",
                independent=True),
    grimp.Layer("model"),
    grimp.Layer("records", "regex"),
)


def illegal(graph: grimp.ImportGraph) -> list[str]:
    found = graph.find_illegal_dependencies_for_layers(layers=LAYERS, containers={"linter"})
    out = []
    for dependency in sorted(found, key=lambda d: (d.importer, d.imported)):
        for route in dependency.routes:
            chain = " -> ".join((*route.heads, *route.middle, *route.tails))
            out.append(f"{dependency.importer} -> {dependency.imported}: {chain}")
    return out


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("linter", include_external_packages=False)


def test_every_package_module_is_in_a_layer(graph: grimp.ImportGraph) -> None:
    tails = {tail for layer in LAYERS for tail in layer.module_tails}
    top = {m.split(".")[1] for m in graph.modules if m.count(".") >= 1}
    assert top <= tails | {"__main__"}, f"not in any layer: {sorted(top - tails)}"


def test_no_stage_reaches_back(graph: grimp.ImportGraph) -> None:
    assert illegal(graph) == []


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("linter.graph.graph", "linter.engine.evaluate"),      # a stage reaching forward
        ("linter.model", "linter.rule"),                       # the vocabulary reaching up
        ("linter.iam.policy", "linter.frontends.plan"),        # independent siblings
        ("linter.frontends.terraform.hcl", "linter.pipeline"),
    ],
)
def test_an_upward_import_fails(graph: grimp.ImportGraph, importer: str, imported: str) -> None:
    changed = grimp.build_graph("linter", include_external_packages=False)
    changed.add_import(importer=importer, imported=imported)
    assert any(line.endswith(f"{importer} -> {imported}") for line in illegal(changed)), (
        illegal(changed))
