"""Named extension points of the certificates app, for apps above it (or wired at start-up) to join
without certificates importing them. Handlers are registered in an ``AppConfig.ready()``, the same
in every process, and run in registration order; with none registered, nothing happens.

- ``certificate_reissued(certificate)``: a certificate was signed again with a new key (its old key
  was compromised) and its holder should download it again, e.g. told by SMS. Runs after the
  re-signing transaction committed, once per certificate.
"""

from collections.abc import Callable

_certificate_reissued: list[Callable] = []


def on_certificate_reissued(handler: Callable) -> Callable:
    if handler not in _certificate_reissued:
        _certificate_reissued.append(handler)
    return handler


def certificate_reissued(certificate) -> None:
    for handler in _certificate_reissued:
        handler(certificate)
