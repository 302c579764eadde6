"""Publishing versions, calendar files and e-mailed invitations."""
