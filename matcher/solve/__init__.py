"""The solve stages: pairs for the score, slots for the breaks, tables for the seating."""
