"""Built-in backends that need only the standard library (plus argon2-cffi for hashing)."""
