"""ITC 2019 reader, writer, checker and CP-SAT solver (pure: no Django import)."""
