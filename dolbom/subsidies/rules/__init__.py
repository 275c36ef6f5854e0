"""Programme rules as data: a rule set's definition (``schema``), the facts it may read (``facts``), the
reference evaluator on cel-python (``reference``) and the column-wise evaluator on Polars (``columnar``).

Conditions and amounts are Common Expression Language (CEL, https://cel.dev) strings. CEL was chosen over
JSON Logic and OpenFisca because an officer can read ``residence_months >= 24 && age >= 65`` as written;
the language cannot loop, call out, or touch anything but the facts it is handed, so a rule can never
run arbitrary code; and cel-python is maintained (0.5, 2026) by the Cloud Custodian project. The JSON Logic
ports for Python (json-logic-qubit 2018, panzi-json-logic 2021) are no longer released, and OpenFisca is a
tax-benefit microsimulation framework whose period formulas are Python code written by a programmer.

cel-python is the reference: every decision is evaluated by it and its trace is what the letter explains.
The columnar evaluator compiles the same CEL parse trees (cel-python's own parser) to Polars expressions
for bulk work (a selection round, the benchmark) and is checked against the reference in the tests and in
``bench/subsidies.py``. Only the part of CEL that both can evaluate identically is accepted in a rule
(``columnar.compile_expression`` refuses the rest with a Korean message when the rule is saved).
"""
