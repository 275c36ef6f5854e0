"""Server-rendered pages. Each view validates a form, calls one service or selector, and renders.

Visibility is never decided here: the selectors refuse (and log) what a viewer may not see, and the
views only turn their DomainError into a Korean message with the matching HTTP status.
"""
