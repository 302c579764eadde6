"""Calendar files (.ics) and e-mailed invitations of a schedule."""
