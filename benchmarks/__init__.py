"""Speed of converted code against the original py_function and a hand-written native version (run.py)."""
