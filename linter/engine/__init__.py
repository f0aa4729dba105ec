"""Rules: schema, loader, conditions, operators, predicates, evaluation, suppressions."""
