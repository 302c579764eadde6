"""Timetables: generation jobs, the grid and agendas, hand edits."""
