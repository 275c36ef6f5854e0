"""One folder per outside system dolbom talks to (``messaging/``: SMS and 카카오 알림톡 gateways).

An integration is a library for the apps above it: it imports only ``dolbom.lib`` and Django, takes its
configuration from settings, and keeps no records of its own; the app that sends records why.
"""
