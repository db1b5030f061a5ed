"""Shared CP-SAT helpers for the timetabling solvers (no Django import)."""
