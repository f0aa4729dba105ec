"""Hard-coded AWS credentials (rule IAC0401 hardcoded-aws-credentials).

* ``patterns`` — what an AWS credential looks like (key-id prefixes, secret keys, private keys,
  placeholders) and how it is redacted.
* ``text`` — detectors over one piece of text (a user-data script, a tfvars file, any string).
* ``locate`` — where credentials hide in a ``Resource`` (provider blocks, user data, environment
  variables, CloudFormation authentication metadata, parameter defaults, any string attribute).

The rule's predicate is ``linter.checks.credentials``; variable files reach it as ``tfvars``
resources (``linter.frontends.terraform.tfvars``).
"""
