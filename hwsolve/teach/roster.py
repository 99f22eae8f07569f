"""Per-student variants: the seed of a student's own variant.

``variant_seed(student_id, course_seed)`` is the one function from which a student's variant is
drawn (``hwsolve vary --roster`` writes it, ``hwsolve grade`` regenerates it): SHA-256 of
``f"{course_seed}:{student_id}"``, its first 8 bytes read big-endian.  It is the same on every
run, machine and supported Python (no salted ``hash()``, no ``random`` state).
"""

from __future__ import annotations

import hashlib


def variant_seed(student_id: str, course_seed: int) -> int:
    """The seed of ``student_id``'s own variant in the course seeded ``course_seed``."""
    digest = hashlib.sha256(f"{course_seed}:{student_id}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")
