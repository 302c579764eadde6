"""matcher: investor-startup matchmaking schedules, solved with CP-SAT."""
