"""The caller's side of a check-in call: the rule-based engine, its script, the optional language model."""
