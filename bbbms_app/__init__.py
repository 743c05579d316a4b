"""BBBMS: an education management information system for general-education schools of Kyrgyzstan."""

from bbbms_app import logs as _logs

# Every log record of the process is redacted and carries the event's request id (bbbms_app/logs.py).
_logs.install()
