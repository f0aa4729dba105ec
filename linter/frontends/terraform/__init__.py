"""The Terraform front end (HCL, ``.tf.json``, variable files).

``TFVARS_TYPE`` lives here, not in ``tfvars``, so that a rule or report that only names it does
not import the HCL parser (a CloudFormation-only scan never loads tree-sitter).
"""

TFVARS_TYPE = "tfvars"  # the resource type (and kind) of one assignment in a variable file
