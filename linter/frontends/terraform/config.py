"""The static configuration of one module directory: its blocks by kind, override files merged.

Terraform merges ``override.tf`` / ``*_override.tf`` (and ``.tf.json``) into the blocks they
name: an attribute replaces the original's, and a nested block type replaces every original
block of that type. A duplicate definition is an error in Terraform; the first one is kept.
"""

from __future__ import annotations

import posixpath
from dataclasses import field

from linter.frontends.terraform.hcl_ast import Attribute, Block, Body, HclFile
from linter.records import mutable


@mutable
class ModuleConfig:
    directory: str  # relative to the scan root, "." for the root itself
    files: list[HclFile]
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, Attribute] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)
    resources: dict[str, tuple[str, Block]] = field(default_factory=dict)  # key → (kind, block)
    module_calls: dict[str, Block] = field(default_factory=dict)
    providers: list[Block] = field(default_factory=list)


def is_override_file(path: str) -> bool:
    name = posixpath.basename(path)
    stem = name.removesuffix(".json").removesuffix(".tf")
    return stem == "override" or stem.endswith("_override")


def _block_type(block: Block) -> str:
    return block.labels[0] if block.type == "dynamic" and block.labels else block.type


def merge_block(base: Block, override: Block) -> Block:
    """``base`` with the attributes and nested block types of ``override`` replacing its own."""
    replaced = {a.name for a in override.body.attributes}
    attributes = [a for a in base.body.attributes if a.name not in replaced]
    attributes.extend(override.body.attributes)
    replaced_types = {_block_type(b) for b in override.body.blocks}
    blocks = [b for b in base.body.blocks if _block_type(b) not in replaced_types]
    blocks.extend(override.body.blocks)
    return Block(base.type, base.labels, Body(tuple(attributes), tuple(blocks)), base.span,
                 base.header)


def _apply_override(blocks: list[Block], override: Block) -> None:
    if override.type == "locals":
        for attribute in override.body.attributes:
            for index, block in enumerate(blocks):
                if block.type == "locals" and block.body.attribute(attribute.name) is not None:
                    blocks[index] = merge_block(block, Block(
                        "locals", (), Body((attribute,)), override.span, override.header))
                    break
            else:
                blocks.append(Block("locals", (), Body((attribute,)), override.span,
                                    override.header))
        return
    for index, block in enumerate(blocks):
        if block.type == override.type and block.labels == override.labels:
            blocks[index] = merge_block(block, override)
            return


def build_config(directory: str, files: list[HclFile]) -> ModuleConfig:
    blocks = [b for f in files if not is_override_file(f.path) for b in f.body.blocks]
    for file in files:
        if is_override_file(file.path):
            for block in file.body.blocks:
                _apply_override(blocks, block)
    config = ModuleConfig(directory, files)
    for block in blocks:
        labels = block.labels
        if block.type == "variable" and len(labels) == 1:
            config.variables.setdefault(labels[0], block)
        elif block.type == "locals":
            for attribute in block.body.attributes:
                config.locals.setdefault(attribute.name, attribute)
        elif block.type == "output" and len(labels) == 1:
            config.outputs.setdefault(labels[0], block)
        elif block.type == "resource" and len(labels) == 2:
            config.resources.setdefault(f"{labels[0]}.{labels[1]}", ("resource", block))
        elif block.type == "data" and len(labels) == 2:
            config.resources.setdefault(f"data.{labels[0]}.{labels[1]}", ("data", block))
        elif block.type == "module" and len(labels) == 1:
            config.module_calls.setdefault(labels[0], block)
        elif block.type == "provider" and len(labels) == 1:
            config.providers.append(block)
    return config
