"""The password hasher of the test sessions: Argon2, as in production, at the smallest cost.

Production's parameters (100 MiB, two passes) cost about 0.25 CPU-s for every password set or
checked, and the tests set and check hundreds (every sign-in by form, every demo seed). The
hashes keep production's format (`argon2$argon2id$…`); only their cost parameters differ.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 256  # KiB
    parallelism = 1
