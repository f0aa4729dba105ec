"""The fix stage: findings of rules that declare an ``autofix`` → byte-exact edits.

Between the engine and the pipeline, beside the reports (neither imports the other): it reads
the findings, the resources the front ends produced (their spans and ``origins``) and the files
themselves, and attaches a ``Fix`` to each finding of a rule with an ``autofix`` section —
edits where the value's source can be changed safely, else a note saying why not.

* ``text``: offsets ↔ line/column, newline style, applying edits, unified diffs.
* ``values``: a value written as HCL, YAML or JSON.
* ``hcl`` / ``cfn``: where a setting lives in a Terraform / CloudFormation file (following
  references to a variable default, tfvars value, local, module input, Parameter default or
  Mappings entry) and the edits that set it.
* ``plan``: findings → sites → the users check (every resource a changed value reaches must be
  flagged by the same rule) → verified edits per finding.
* ``apply``: all applicable fixes → new file contents, checked again, written or shown as a diff.

The fixer knows how to set an attribute in HCL, YAML and JSON; it knows no rule by name: what to
set comes from the rule's ``autofix`` data (``linter.rule.Autofix``).
"""
