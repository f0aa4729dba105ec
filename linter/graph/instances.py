"""How many real instances one judged resource stands for.

A Terraform resource whose ``count`` / ``for_each`` is unknown, or that sits in a module
instance whose call's ``count`` / ``for_each`` is unknown, is judged once for instances that
cannot be told apart (``meta["instances_unknown"]``, set by the Terraform front end). A finding
on it must say so rather than present one verdict as every instance's.
"""

from __future__ import annotations

from linter.model import Resource


def instances_note(resource: Resource) -> str:
    """" (judged once for every instance of module.x: its for_each is not known)" or ""."""
    collapsed = resource.meta.get("instances_unknown")
    if not isinstance(collapsed, (list, tuple)) or not collapsed:
        return ""
    names = ", ".join(str(name) for name in collapsed)
    return (f" (judged once for every instance of {names}: count/for_each is not known, so "
            "the instances cannot be told apart)")
