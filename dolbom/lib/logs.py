"""Logging filters: no resident registration number reaches a log file.

The server's request log (Django's ``django.server``; gunicorn's access log when it is configured with
this filter) writes each request line, query string included, and error logs may quote a path or a value.
``MaskRRNs`` rewrites every record's message with lib/access.py mask_rrns before any handler writes it;
settings.LOGGING attaches it to every handler.
"""

from __future__ import annotations

import logging

from dolbom.lib.access import mask_rrns


class MaskRRNs(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report, not ours
            return True
        masked = mask_rrns(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # An exception's message may quote the value that failed; format it here, masked (handlers
            # use a record's exc_text when it is set).
            record.exc_text = mask_rrns(logging.Formatter().formatException(record.exc_info))
        return True
