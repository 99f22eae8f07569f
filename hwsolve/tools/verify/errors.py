"""The error and the PyTorch import of the verifier (torch only when a check runs)."""

from __future__ import annotations

VERIFY_HINT = "PyTorch is not installed; install the verify extra: pip install 'hwsolve[verify]'"


def error(message: str) -> Exception:
    try:
        from hwsolve.errors import HwsolveError
    except ImportError:  # pragma: no cover - only while the package is being assembled
        return ValueError(message)
    return HwsolveError(message)


def import_torch():
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
            import torch
    except ImportError:
        raise error(VERIFY_HINT) from None
    return torch
